"""The outbox against real services: a Celery worker process, Redis, PostgreSQL, SMTP and Twilio fakes.

Each test files or moves a dossier in this process (committing, like a request would) and
watches what reaches the fake Twilio server and the SMTP server.
"""

import time

import pytest
from django.db import transaction

from dossiers.services import apply_transition, record_event
from dossiers.workflow import Event
from notifications.models import Channel, Notification, NotificationStatus
from tests.factories import DossierFactory, ProcedureFactory
from tests.fixtures.celery_worker import wait_until

pytestmark = pytest.mark.integration


def file_dossier(**fields):
    """The REGISTERED event in a dossier's own transaction, as filing writes it."""
    with transaction.atomic():
        dossier = DossierFactory(**fields)
        record_event(dossier, action="register", from_status="", event=Event.REGISTERED)
    return dossier


def submit_online(procedure):
    """A citizen files online through the filing service (the same call the wizard makes)."""
    from dossiers.services import submit_dossier

    applicant = {"full_name": "Lê Văn Cường", "id_number": "001090054321", "phone": "+84987654321",
                 "email": "cuong.le@example.com", "address": "Số 3 phố Tràng Tiền, Hoàn Kiếm, Hà Nội"}
    return submit_dossier(procedure=procedure, agency=procedure.agencies.first(), applicant=applicant,
                          declaration={}, declaration_schema=[])


def rows(dossier):
    return {row.channel: row for row in Notification.objects.filter(dossier=dossier)}


def settled(dossier, statuses=(NotificationStatus.QUEUED, NotificationStatus.SENT, NotificationStatus.DELIVERED)):
    found = rows(dossier)
    return len(found) == 2 and all(row.status in statuses for row in found.values())


def test_messages_reach_twilio_and_smtp_and_receipts_come_back(outbox):
    outbox.start_worker()
    dossier = file_dossier()
    [sms] = outbox.twilio.wait_for_messages(1)
    [mail] = outbox.smtp.wait_for_messages(1)
    wait_until(lambda: settled(dossier), message="both rows recorded as sent")
    assert sms["to"] == dossier.applicant_phone and dossier.code in sms["body"]
    assert mail["to"] == [dossier.applicant_email]
    assert dossier.code in str(mail["message"]["Subject"])
    # Twilio reports back through the live portal, signed.
    assert outbox.twilio.send_status_callback(sms, "sent").status_code == 204
    assert outbox.twilio.send_status_callback(sms, "delivered").status_code == 204
    row = rows(dossier)[Channel.SMS]
    assert (row.status, row.provider_id) == (NotificationStatus.DELIVERED, sms["sid"])
    assert outbox.twilio.send_status_callback(sms, "failed", signature="Zm9yZ2Vk").status_code == 403
    assert rows(dossier)[Channel.SMS].status == NotificationStatus.DELIVERED


def test_the_sms_api_failing_three_times_then_accepting_sends_exactly_one_sms(outbox):
    outbox.twilio.fail_next(500, times=3)
    outbox.start_worker()
    dossier = file_dossier(applicant_email="")
    wait_until(lambda: len(outbox.twilio.messages) == 1, message="the SMS to get through")
    wait_until(lambda: rows(dossier)[Channel.SMS].status == NotificationStatus.QUEUED, message="row sent")
    time.sleep(1.5)  # any stray retry would have arrived by now
    assert len(outbox.twilio.messages) == 1
    assert [code for _, _, code, _ in outbox.twilio.requests] == [500, 500, 500, 201]
    row = rows(dossier)[Channel.SMS]
    assert row.attempts == 4 and row.last_error == ""
    # The retries backed off: 0.3 s, 0.6 s, 1.2 s.
    times = [at for at, _, _, _ in outbox.twilio.requests]
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert gaps[0] >= 0.25 and gaps[1] >= 0.55 and gaps[2] >= 1.1


def test_a_rolled_back_status_change_sends_nothing(outbox):
    outbox.start_worker()
    dossier = file_dossier()
    wait_until(lambda: settled(dossier), message="the filing messages")
    with pytest.raises(RuntimeError), transaction.atomic():
        apply_transition(dossier, "receive")
        raise RuntimeError("rolled back")
    # A later, committed change proves the worker is alive and would have sent the first.
    apply_transition(DossierFactory(applicant_email=""), "receive")
    outbox.twilio.wait_for_messages(2)
    time.sleep(1.5)
    assert len(outbox.twilio.messages) == 2 and len(outbox.smtp.messages) == 1
    assert not Notification.objects.filter(dossier=dossier, event=Event.RECEIVED).exists()


def test_worker_killed_in_the_middle_of_sending_delivers_exactly_once(outbox):
    # Twilio takes the message but the answer is held back; the worker dies waiting for it.
    # The email goes out beside it on another sending thread and is recorded as sent while the
    # SMS waits: the kill comes after that record, so that the second worker must not send it
    # again. (A kill inside the few milliseconds between the mail server's 250 and that record
    # may send a second copy: the window README's "Email has no such question to ask"
    # describes; test_dead_worker kills a worker whose emails are held before RCPT.)
    outbox.twilio.hold(seconds=60)
    first = outbox.start_worker(NOTIFICATIONS_LEASE_SECONDS=3)
    dossier = file_dossier()
    outbox.twilio.wait_for_messages(1)
    wait_until(lambda: rows(dossier)[Channel.EMAIL].status == NotificationStatus.SENT,
               message="the email to be sent and recorded while the SMS is held")
    first.kill()
    assert rows(dossier)[Channel.SMS].status == NotificationStatus.SENDING
    # A new worker with its beat: the sweep finds the abandoned row once the lease is over.
    outbox.start_worker(beat=True, NOTIFICATIONS_LEASE_SECONDS=3)
    wait_until(lambda: settled(dossier), timeout=30, message="the abandoned row and the email to be settled")
    time.sleep(2)
    [message] = outbox.twilio.messages
    row = rows(dossier)[Channel.SMS]
    assert row.provider_id == message["sid"] and row.attempts == 2
    assert len([r for r in outbox.twilio.requests if r[2] == 201]) == 1
    [mail] = outbox.smtp.messages
    assert mail["message"]["Message-ID"] == f"<{rows(dossier)[Channel.EMAIL].provider_id}>"


def test_worker_killed_while_the_mail_server_has_not_answered_delivers_the_email_once(outbox):
    # The SMTP server keeps the sender waiting before accepting the recipient; the worker dies there.
    outbox.smtp.hold_next(seconds=60)
    first = outbox.start_worker(NOTIFICATIONS_LEASE_SECONDS=3)
    dossier = file_dossier(applicant_phone="")
    wait_until(lambda: outbox.smtp.held == 1, message="the email to be in the middle of its SMTP dialogue")
    first.kill()
    assert rows(dossier)[Channel.EMAIL].status == NotificationStatus.SENDING
    outbox.start_worker(beat=True, NOTIFICATIONS_LEASE_SECONDS=3)
    wait_until(lambda: rows(dossier)[Channel.EMAIL].status == NotificationStatus.SENT, timeout=30,
               message="the abandoned email row to be sent")
    time.sleep(2)
    [mail] = outbox.smtp.messages
    row = rows(dossier)[Channel.EMAIL]
    assert mail["message"]["Message-ID"] == f"<{row.provider_id}>" and row.attempts == 2


def test_redis_down_while_filing_then_messages_arrive_exactly_once(outbox, own_redis):
    outbox.use_broker(own_redis.url)
    procedure = ProcedureFactory(service_level=3)
    own_redis.stop()
    started = time.monotonic()
    dossier = submit_online(procedure)
    elapsed = time.monotonic() - started
    print(f"filing with the broker down took {elapsed:.2f}s")
    assert elapsed < 8, f"filing waited {elapsed:.1f}s for the broker"
    assert {row.status for row in rows(dossier).values()} == {NotificationStatus.PENDING}
    assert outbox.twilio.messages == [] and outbox.smtp.messages == []

    own_redis.start()
    outbox.start_worker(beat=True)
    outbox.twilio.wait_for_messages(1, timeout=30)
    outbox.smtp.wait_for_messages(1, timeout=30)
    wait_until(lambda: settled(dossier), message="both rows recorded as sent")
    time.sleep(3)  # more sweeps run: nothing goes out again
    assert len(outbox.twilio.messages) == 1 and len(outbox.smtp.messages) == 1
    assert all(row.attempts == 1 for row in rows(dossier).values())


def test_a_hanging_redis_holds_the_filing_for_seconds_only(outbox, own_redis):
    import os
    import signal

    outbox.use_broker(own_redis.url)
    file_dossier(applicant_email="")  # a pooled connection to the broker, as a running portal has
    os.kill(own_redis.process.pid, signal.SIGSTOP)  # accepts connections, answers nothing
    try:
        started = time.monotonic()
        dossier = file_dossier(applicant_email="")
        elapsed = time.monotonic() - started
    finally:
        os.kill(own_redis.process.pid, signal.SIGCONT)
    assert elapsed < 10, f"filing waited {elapsed:.1f}s for a hanging broker"
    outbox.start_worker(beat=True)
    wait_until(lambda: rows(dossier)[Channel.SMS].status == NotificationStatus.QUEUED, timeout=30,
               message="the message left behind to be sent")
    time.sleep(2)
    assert sorted(m["body"] for m in outbox.twilio.messages) == sorted(
        row.body for row in Notification.objects.filter(channel=Channel.SMS))
    assert len(outbox.twilio.messages) == 2
