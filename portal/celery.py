"""The Celery application, configured from Django's settings (the ``CELERY_`` namespace),
and the Redis transport it uses (``CELERY_BROKER_TRANSPORT``)."""

import os

from celery import Celery, signals
from kombu.transport import redis as kombu_redis

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


class RedisChannel(kombu_redis.Channel):
    """kombu's Redis channel, surviving a broker restart while it holds unacknowledged messages.

    When Redis goes away, Celery's consumer first ``collect()``s the broken connection (which
    detaches its transport: ``transport.client = None``) and then ``close()``s it. Closing a
    channel that still holds unacknowledged messages (a retry waiting for its countdown)
    tries to put them back in the queue, which needs connection parameters from the detached
    transport: ``AttributeError: 'NoneType' object has no attribute 'hostname'`` (kombu 5.7.0,
    the same path as celery/kombu#582 and #970). An ``AttributeError`` is not one of the
    connection errors Celery ignores while reconnecting, so the worker process exits.

    A detached channel cannot reach Redis: say so with the transport's own connection error,
    which Celery ignores, and reconnect. The messages are not lost: they stay in Redis's
    ``unacked`` hash until ``visibility_timeout`` puts them back, and the outbox sweep
    (``notifications.tasks.send_unsent_notifications``) re-queues every row whose retry went
    missing long before that.
    """

    def _connparams(self, asynchronous=False):
        if self.connection.client is None:
            raise kombu_redis.redis.exceptions.ConnectionError(
                "the broker connection was closed; not restoring unacknowledged messages through it")
        return super()._connparams(asynchronous=asynchronous)


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
