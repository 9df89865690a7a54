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
