"""Issue 13's fault table, each fault made real and each outbox row counted at the fakes.

Every test breaks a real part (a Celery worker process, the Redis server, the PostgreSQL
connections, the fake Twilio server), then counts what the outside world received for each
outbox row: exactly one SMS at the Twilio-speaking server and one email at the SMTP server.
"""

import time

import pytest
from django.db import transaction

from dossiers.services import record_event
from dossiers.workflow import Event
from notifications.models import Channel, Notification, NotificationStatus
from tests.factories import DossierFactory
from tests.fixtures.celery_worker import wait_until

pytestmark = pytest.mark.integration

DONE = (NotificationStatus.QUEUED, NotificationStatus.SENT, NotificationStatus.DELIVERED)


def file_dossier(**fields):
    """The REGISTERED event in a dossier's own transaction, as filing writes it."""
    with transaction.atomic():
        dossier = DossierFactory(**fields)
        record_event(dossier, action="register", from_status="", event=Event.REGISTERED)
    return dossier


def all_done(dossiers):
    return not Notification.objects.filter(dossier__in=dossiers).exclude(status__in=DONE).exists()


def assert_each_row_reached_its_fake_once(outbox, dossiers):
    """One SMS per SMS row at the fake Twilio, one email per email row at the SMTP server, and no more."""
    rows = list(Notification.objects.filter(dossier__in=dossiers))
    sms_rows = [row for row in rows if row.channel == Channel.SMS]
    email_rows = [row for row in rows if row.channel == Channel.EMAIL]
    sms_by_body = {}
    for message in outbox.twilio.messages:
        sms_by_body.setdefault((message["to"], message["body"]), []).append(message["sid"])
    for row in sms_rows:
        assert sms_by_body.get((row.recipient, row.body)) == [row.provider_id], f"SMS row {row.pk}"
    mails_by_id = {}
    for mail in outbox.smtp.messages:
        mails_by_id.setdefault(str(mail["message"]["Message-ID"]), []).append(mail)
    for row in email_rows:
        assert len(mails_by_id.get(f"<{row.provider_id}>", [])) == 1, f"email row {row.pk}"
    assert len(outbox.twilio.messages) == len(sms_rows)
    assert len(outbox.smtp.messages) == len(email_rows)


def test_redis_restarted_while_the_worker_holds_a_countdown_retry(outbox, own_redis):
    outbox.use_broker(own_redis.url)
    outbox.twilio.fail_next(500, times=1)
    worker = outbox.start_worker(beat=True, NOTIFICATIONS_RETRY_BASE_SECONDS=4)
    dossier = file_dossier()
    wait_until(lambda: len(outbox.twilio.requests) == 1, message="the first, failed SMS request")
    wait_until(lambda: b"notifications.tasks.send_notification" in worker.log_path.read_bytes()
               and b"retry" in worker.log_path.read_bytes().lower(), message="the retry to be held")
    own_redis.stop()
    time.sleep(1)
    own_redis.start()
    outbox.twilio.wait_for_messages(1, timeout=30)
    wait_until(lambda: all_done([dossier]), timeout=30, message="both rows recorded as sent")
    assert worker.process.poll() is None, worker.output()[-3000:]
    # It keeps sending after the restart.
    later = file_dossier()
    wait_until(lambda: all_done([later]), timeout=30, message="a later dossier's messages")
    time.sleep(1.5)
    assert worker.process.poll() is None, worker.output()[-3000:]
    assert_each_row_reached_its_fake_once(outbox, [dossier, later])


class BackendTerminator:
    """Terminates every other PostgreSQL backend of the test database, as a failover or an operator would."""

    def __init__(self):
        import psycopg2
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.spared = cursor.fetchone()[0]  # the test's own connection
        db = connection.settings_dict
        self.conn = psycopg2.connect(dbname=db["NAME"], user=db["USER"], password=db.get("PASSWORD") or None,
                                     host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432)
        self.conn.autocommit = True
        self.terminated = 0

    def terminate(self):
        with self.conn.cursor() as cursor:
            cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), %s)",
                           [self.spared])
            self.terminated += cursor.fetchone()[0]

    def close(self):
        self.conn.close()


def test_database_connections_terminated_while_each_message_is_with_its_provider(outbox):
    """Issue 13, row 1: every message's outcome is known to the worker only, when its connection dies."""
    import threading

    count = 8
    # Each SMS and each email is held at its fake for a moment; the moment the fake has it,
    # every database connection of the worker is terminated (and the sweep's, and the portal's).
    outbox.twilio.hold(seconds=0.4, times=count)
    outbox.smtp.hold_next(seconds=0.4, times=count)
    dossiers = [file_dossier() for _ in range(count)]
    terminator = BackendTerminator()
    stop = threading.Event()

    def terminate_while_held():
        seen = 0
        while not stop.is_set():
            now = len(outbox.twilio.messages) + outbox.smtp.held
            if now > seen:
                seen = now
                time.sleep(0.05)
                terminator.terminate()
            time.sleep(0.01)

    watcher = threading.Thread(target=terminate_while_held, daemon=True)
    # Small batches: one dossier's two messages at a time, so each batch meets a dead connection.
    worker = outbox.start_worker(beat=True, NOTIFICATIONS_LEASE_SECONDS=20, NOTIFICATIONS_BATCH_SIZE=2)
    watcher.start()
    try:
        wait_until(lambda: all_done(dossiers), timeout=90, message="every row recorded as sent")
    finally:
        stop.set()
        watcher.join(5)
        terminator.close()
    time.sleep(2)  # a stray second attempt would have arrived by now
    assert terminator.terminated >= count
    # The worker met dead connections while recording what the providers had accepted.
    assert "database unavailable while recording" in worker.output()
    assert_each_row_reached_its_fake_once(outbox, dossiers)
    assert set(Notification.objects.filter(dossier__in=dossiers).values_list("attempts", flat=True)) == {1}


def test_twilio_hangs_then_the_already_sent_check_fails_once_sends_one_sms(outbox):
    """Issue 13, row 3: a failed "was it sent?" question keeps the outcome unknown."""
    outbox.twilio.hold(seconds=3)           # accepted, but no answer within TWILIO_TIMEOUT
    outbox.twilio.fail_next_list(500)       # the next attempt's question fails once
    outbox.start_worker(TWILIO_TIMEOUT=1)
    dossier = file_dossier(applicant_email="")
    wait_until(lambda: all_done([dossier]), timeout=30, message="the SMS row recorded as sent")
    time.sleep(2)
    assert_each_row_reached_its_fake_once(outbox, [dossier])
    row = Notification.objects.get(dossier=dossier)
    assert row.attempts == 3  # timed out; the check failed; the check found it
    assert [code for _, _, code, _ in outbox.twilio.requests] == [201]


def test_redis_down_citizens_file_and_look_up_then_messages_go_out_once(outbox, own_redis, client):
    """Issue 13, row 4: broker and cache on one Redis (as docker-compose.yml has them), and it stops."""
    from django.conf import settings
    from django.test import override_settings

    from dossiers.models import Dossier
    from tests.filing.support import file_through_wizard, fileable_procedure
    from tests.tracking.helpers import lookup_post, page_text

    outbox.use_broker(own_redis.url)
    cache_on_the_same_redis = {**settings.CACHES, "default": {
        "BACKEND": "portal.cache.RedisCacheWithLocalFallback", "LOCATION": own_redis.url[:-1] + "1",
        "OPTIONS": {"retry_seconds": 1}}}
    procedure = fileable_procedure(components=0)
    with override_settings(CACHES=cache_on_the_same_redis):
        assert client.get("/").status_code == 200
        own_redis.stop()
        started = time.monotonic()
        response = file_through_wizard(client, procedure)
        assert response.status_code == 302, response.content.decode()[:3000]
        dossier = Dossier.objects.get(procedure=procedure)
        looked_up = lookup_post(client, dossier.code)
        elapsed = time.monotonic() - started
        assert looked_up.status_code == 200
        assert dossier.code in page_text(looked_up)
        assert elapsed < 20, f"the whole filing and lookup took {elapsed:.1f}s with Redis down"
    assert set(Notification.objects.filter(dossier=dossier).values_list("status", flat=True)) == {
        NotificationStatus.PENDING}
    assert outbox.twilio.messages == [] and outbox.smtp.messages == []

    own_redis.start()
    outbox.start_worker(beat=True)
    wait_until(lambda: all_done([dossier]), timeout=30, message="the messages once Redis is back")
    time.sleep(3)  # more sweeps run: nothing goes out again
    assert_each_row_reached_its_fake_once(outbox, [dossier])
