"""The Celery application, configured from Django's settings (the ``CELERY_`` namespace),
and the Redis transport it uses (``CELERY_BROKER_TRANSPORT``)."""

import logging
import os

from celery import Celery, signals
from kombu.transport import redis as kombu_redis

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

logger = logging.getLogger(__name__)


class RedisQoS(kombu_redis.QoS):
    """kombu's Redis QoS, not restoring unacknowledged messages through a connection already torn down.

    When Redis goes away, Celery's consumer first ``collect()``s the broken connection (which
    detaches its transport: ``transport.client = None``) and then ``close()``s its channel.
    ``Channel.close()`` disconnects the channel's pools and only then (``virtual.Channel.close``
    → ``restore_unacked_once``) puts the unacknowledged messages (a retry waiting for its
    countdown) back in their queue, through a new pool whose parameters come from the
    detached transport: ``AttributeError: 'NoneType' object has no attribute 'hostname'`` in
    ``Channel._connparams``. An ``AttributeError`` is not one of the connection errors Celery
    ignores while reconnecting, so the worker process exits.

    Upstream: the same ``_connparams`` failure on a closed connection is celery/kombu#582
    (gossip's channel) and #970 (warm shutdown), both closed with fixes for their own paths;
    this path is still there in kombu 5.7.0, the newest release (``Channel.close`` in
    ``kombu/transport/redis.py`` is the same on kombu's main branch of August 2026), so kombu stays pinned
    at 5.7.0 with this class. Drop it when a kombu release restores before disconnecting, or
    checks the detached transport: ``tests/notifications/test_faults.py``'s Redis-restart test
    tells.

    Only that one path changes: a channel whose transport is detached says it cannot reach
    Redis, with the transport's own connection error, which Celery ignores before it
    reconnects. The messages are not lost: they stay in Redis's ``unacked`` hash until
    ``visibility_timeout`` puts them back, and the outbox sweep
    (``notifications.tasks.send_unsent_notifications``) re-queues every row whose retry went
    missing long before that.
    """

    def restore_unacked(self, client=None):
        if client is None and self.channel.connection.client is None:
            raise kombu_redis.redis.exceptions.ConnectionError(
                "the broker connection was closed; not restoring unacknowledged messages through it")
        return super().restore_unacked(client)


class RedisChannel(kombu_redis.Channel):
    QoS = RedisQoS


class RedisTransport(kombu_redis.Transport):
    Channel = RedisChannel


app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_database_connections(task=None, **kwargs):
    """What Django does around each request, around each task: keep a healthy connection, drop a broken one.

    Celery's own Django fix-up closes the connection after every task unless
    ``CELERY_DB_REUSE_MAX`` is set (a new PostgreSQL connection per message); with it set,
    this keeps ``CONN_MAX_AGE`` and ``CONN_HEALTH_CHECKS`` working in workers as in the web
    process, so a connection the server terminated is replaced before the next task uses it.
    """
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


def publish_each(task, ids, what):
    """Publish ``task`` once for each id, in order; return how many were published.

    A broker outage is logged, not raised: a citizen's request or a sweep goes on, and the rows
    behind the ids stay in their outbox for the next periodic sweep. ``what`` names the ids in
    the warning ("notifications", "national sync of dossiers"). The outboxes (``notifications``,
    ``national_portal``) publish through this; it is one of the site-wide pieces of ``portal``.
    """
    ids = list(ids)
    published = 0
    for item in ids:
        try:
            task.delay(item)
        except Exception:  # noqa: BLE001 - any broker error: the rows stay for the sweep
            logger.warning("broker unavailable; %s %s left for the periodic sweep", what, ids, exc_info=True)
            break
        published += 1
    return published
