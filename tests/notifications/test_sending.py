"""Sending outbox rows: rows written with the status change, claims, retries, permanent failures.

SMS go through the real ``twilio`` client to the local fake Twilio server and email over
SMTP to a local aiosmtpd server, both in this process; no broker needed (Celery eager).
"""

import datetime
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from dossiers.services import apply_transition, record_event
from dossiers.workflow import TRANSITIONS, DossierStatus, Event
from notifications import sending
from notifications.models import Channel, Notification, NotificationStatus
from notifications.sms import InMemoryBackend
from notifications.tasks import send_unsent_notifications
from tests.factories import DossierFactory

pytestmark = pytest.mark.django_db


def sms_row(dossier=None, **fields):
    dossier = dossier or DossierFactory()
    with transaction.atomic():
        rows = record_event(dossier, action="submit", from_status="", event=Event.REGISTERED)
    del rows
    row = Notification.objects.get(dossier=dossier, channel=Channel.SMS)
    Notification.objects.filter(pk=row.pk).update(**fields)
    row.refresh_from_db()
    return row


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_every_transition_writes_and_sends_its_messages(action, django_capture_on_commit_callbacks):
    transition = TRANSITIONS[action]
    source = sorted(transition.sources)[0]
    dossier = DossierFactory(status=source, appointment_date=datetime.date(2026, 8, 3))
    with django_capture_on_commit_callbacks(execute=True):
        apply_transition(dossier, action, public_note="Lý do thử nghiệm")
    rows = Notification.objects.filter(dossier=dossier)
    assert {(row.channel, row.event) for row in rows} == {(Channel.SMS, transition.event),
                                                          (Channel.EMAIL, transition.event)}
    assert all(row.status == NotificationStatus.SENT for row in rows)
    assert [m["to"] for m in InMemoryBackend.outbox] == ["+84912345678"]
    assert dossier.code in InMemoryBackend.outbox[0]["body"]
    assert [m.to for m in mail.outbox] == [["an.nguyen@example.com"]]
    assert mail.outbox[0].subject == rows.get(channel=Channel.EMAIL).subject


def test_english_dossiers_get_english_messages(django_capture_on_commit_callbacks):
    dossier = DossierFactory(status=DossierStatus.REGISTERED, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        apply_transition(dossier, "receive", changes={"appointment_date": datetime.date(2026, 8, 3)})
    assert InMemoryBackend.outbox[0]["body"].startswith(f"UBND phuong Thu Nghiem {dossier.agency.name.split()[-1]} "
                                                        f"received dossier {dossier.code}; result due on 03/08/2026.")
    assert mail.outbox[0].subject == f"Dossier {dossier.code} has been received"
    assert "The result is due on 03/08/2026." in mail.outbox[0].body


def test_only_the_channels_the_applicant_has(django_capture_on_commit_callbacks):
    dossier = DossierFactory(applicant_email="")
    with django_capture_on_commit_callbacks(execute=True):
        apply_transition(dossier, "receive")
    assert list(Notification.objects.filter(dossier=dossier).values_list("channel", flat=True)) == [Channel.SMS]
    assert mail.outbox == []


def test_a_rolled_back_status_change_sends_nothing(django_capture_on_commit_callbacks):
    dossier = DossierFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            apply_transition(dossier, "receive")
            raise RuntimeError("the clerk's request failed after the transition")
    assert callbacks == []
    assert not Notification.objects.filter(dossier=dossier).exists()
    assert InMemoryBackend.outbox == [] and mail.outbox == []
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.REGISTERED


def test_sms_through_the_twilio_client(twilio_settings, twilio_fake):
    row = sms_row()
    assert sending.send_notification(row.pk).outcome == sending.SENT
    [message] = twilio_fake.messages
    row.refresh_from_db()
    assert row.status == NotificationStatus.QUEUED and row.provider_id == message["sid"]
    assert row.attempts == 1 and row.sent_at is not None and row.lease_expires_at is None
    assert message["to"] == "+84912345678" and message["from"] == "+15005550006"
    assert message["body"] == row.body
    assert message["status_callback"] == f"http://127.0.0.1:8000/thong-bao/twilio/{row.pk}/trang-thai/"
    # Sending again is a no-op: the row is no longer pending.
    assert sending.send_notification(row.pk).outcome == sending.SKIPPED
    assert len(twilio_fake.messages) == 1


def test_messaging_service_instead_of_a_number(twilio_settings, twilio_fake):
    twilio_settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "1" * 32
    row = sms_row()
    sending.send_notification(row.pk)
    assert twilio_fake.requests[0][3]["MessagingServiceSid"] == "MG" + "1" * 32
    assert "From" not in twilio_fake.requests[0][3]


@pytest.mark.parametrize("status", [429, 500, 503])
def test_temporary_failures_are_retried_with_backoff(twilio_settings, twilio_fake, status):
    twilio_settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 30
    twilio_fake.fail_next(status, times=2)
    row = sms_row()
    now = timezone.now()

    first = sending.send_notification(row.pk, now=now)
    row.refresh_from_db()
    assert (first.outcome, first.retry_in) == (sending.RETRY, 30)
    assert row.status == NotificationStatus.PENDING and row.attempts == 1
    assert f"HTTP {status}" in row.last_error
    assert row.next_attempt_at >= now + timedelta(seconds=29)
    # Not due yet: a duplicate task does nothing.
    assert sending.send_notification(row.pk, now=now + timedelta(seconds=5)).outcome == sending.SKIPPED

    second = sending.send_notification(row.pk, now=row.next_attempt_at)
    assert (second.outcome, second.retry_in) == (sending.RETRY, 60)
    row.refresh_from_db()
    assert sending.send_notification(row.pk, now=row.next_attempt_at).outcome == sending.SENT
    row.refresh_from_db()
    assert row.status == NotificationStatus.QUEUED and row.attempts == 3 and row.last_error == ""
    assert len(twilio_fake.messages) == 1
    assert [code for _, _, code, _ in twilio_fake.requests] == [status, status, 201]


def test_backoff_is_capped(settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 30
    settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 3600
    assert [sending.retry_delay(n) for n in (1, 2, 3, 7, 8, 20)] == [30, 60, 120, 1920, 3600, 3600]


def test_an_invalid_number_fails_for_good(twilio_settings, twilio_fake):
    twilio_fake.invalid_numbers.add("+84900000000")
    row = sms_row(DossierFactory(applicant_phone="+84900000000"))
    assert sending.send_notification(row.pk).outcome == sending.FAILED
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED and row.attempts == 1
    assert "21211" in row.last_error and row.next_attempt_at is None
    assert sending.send_notification(row.pk, now=timezone.now() + timedelta(days=1)).outcome == sending.SKIPPED
    assert row.pk not in sending.unsent_ids(now=timezone.now() + timedelta(days=1))
    assert twilio_fake.messages == []


def test_giving_up_after_the_last_attempt(twilio_settings, twilio_fake):
    twilio_settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    twilio_fake.fail_next(500, times=5)
    row = sms_row()
    assert sending.send_notification(row.pk).outcome == sending.RETRY
    row.refresh_from_db()
    assert sending.send_notification(row.pk, now=row.next_attempt_at).outcome == sending.FAILED
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED and row.last_error.startswith("Đã thử 2 lần.")


def test_a_response_lost_to_a_timeout_is_not_sent_twice(twilio_settings, twilio_fake):
    """Twilio took the message but the answer never came: the next attempt asks before sending."""
    twilio_settings.TWILIO_TIMEOUT = 1
    twilio_fake.hold(seconds=3)
    row = sms_row()
    assert sending.send_notification(row.pk).outcome == sending.RETRY
    row.refresh_from_db()
    assert row.attempt_started_at is not None and "Timeout" in row.last_error
    assert sending.send_notification(row.pk, now=row.next_attempt_at).outcome == sending.SENT
    row.refresh_from_db()
    [message] = twilio_fake.messages
    assert row.provider_id == message["sid"] and row.status == NotificationStatus.QUEUED
    assert len([r for r in twilio_fake.requests if r[2] == 201]) == 1


def test_twilio_unreachable_is_retried_as_an_unknown_outcome(twilio_settings, twilio_fake):
    """A refused connection is a temporary failure whose outcome counts as unknown (as with ``requests``)."""
    from tests.fixtures.smtp import free_port

    twilio_settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    row = sms_row()
    assert sending.send_notification(row.pk).outcome == sending.RETRY
    row.refresh_from_db()
    assert row.status == NotificationStatus.PENDING and row.attempt_started_at is not None
    assert "NewConnectionError" in row.last_error
    twilio_settings.TWILIO_API_BASE_URL = twilio_fake.url
    assert sending.send_notification(row.pk, now=row.next_attempt_at).outcome == sending.SENT
    [message] = twilio_fake.messages
    row.refresh_from_db()
    assert row.provider_id == message["sid"] and row.attempts == 2


def test_a_claimed_row_is_not_claimed_twice_until_its_lease_expires(settings):
    settings.NOTIFICATIONS_LEASE_SECONDS = 120
    row = sms_row()
    now = timezone.now()
    assert sending.claim(row.pk, now=now) is not None
    assert sending.claim(row.pk, now=now + timedelta(seconds=60)) is None
    assert row.pk not in sending.unsent_ids(now=now + timedelta(seconds=60))
    # The worker died: after the lease the row is claimable (and swept) again.
    assert row.pk in sending.unsent_ids(now=now + timedelta(seconds=121))
    assert sending.send_notification(row.pk, now=now + timedelta(seconds=121)).outcome == sending.SENT
    assert len(InMemoryBackend.outbox) == 1


def test_the_sweep_leaves_fresh_rows_to_their_task_and_picks_up_the_rest(settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS = 60
    old, fresh = sms_row(), sms_row()
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert sending.unsent_ids() == [old.pk]
    send_unsent_notifications.delay()
    old.refresh_from_db(), fresh.refresh_from_db()
    assert old.status == NotificationStatus.SENT and fresh.status == NotificationStatus.PENDING
    assert [m["notification_id"] for m in InMemoryBackend.outbox] == [old.pk]


def email_row(dossier=None):
    dossier = dossier or DossierFactory()
    with transaction.atomic():
        record_event(dossier, action="receive", from_status="registered", event=Event.RECEIVED)
    return Notification.objects.get(dossier=dossier, channel=Channel.EMAIL)


def test_email_over_smtp_with_html_and_text(smtp_settings, smtp_server):
    row = email_row(DossierFactory(appointment_date=datetime.date(2026, 8, 3)))
    assert sending.send_notification(row.pk).outcome == sending.SENT
    row.refresh_from_db()  # rendered by the worker, from the variables stored with the row at the event
    [received] = smtp_server.messages
    message = received["message"]
    assert received["to"] == ["an.nguyen@example.com"]
    assert str(message["Subject"]).strip() == row.subject
    assert message["Message-ID"] == f"<thong-bao-{row.pk}.{row.dossier_id}@127.0.0.1>"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Ngày hẹn trả kết quả: 03/08/2026." in text and "Thông tin hồ sơ" in text
    assert "Cổng dịch vụ công trực tuyến" in html and row.dossier.code in html
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT


def test_smtp_temporary_error_is_retried(smtp_settings, smtp_server):
    smtp_server.fail_next(times=1)
    row = email_row()
    assert sending.send_notification(row.pk).outcome == sending.RETRY
    row.refresh_from_db()
    assert row.last_error.startswith("TemporarySendError: SMTP 451")
    assert sending.send_notification(row.pk, now=row.next_attempt_at).outcome == sending.SENT
    assert len(smtp_server.messages) == 1


def test_smtp_refused_address_fails_for_good(smtp_settings, smtp_server):
    smtp_server.refused.add("khong.ton.tai@example.com")
    row = email_row(DossierFactory(applicant_email="khong.ton.tai@example.com"))
    assert sending.send_notification(row.pk).outcome == sending.FAILED
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED and "SMTP 550" in row.last_error
    assert smtp_server.messages == []


def test_smtp_server_down_is_temporary(smtp_settings):
    from tests.fixtures.smtp import free_port

    smtp_settings.EMAIL_PORT = free_port()
    row = email_row()
    assert sending.send_notification(row.pk).outcome == sending.RETRY
    row.refresh_from_db()
    assert "ConnectionRefusedError" in row.last_error


def test_rows_unsent_past_the_limit_become_technical_failures(settings):
    settings.NOTIFICATIONS_GIVE_UP_HOURS = 72
    now = timezone.now()
    old = now - timedelta(hours=73)
    retried = sms_row(status=NotificationStatus.PENDING, created_at=old, attempts=4,
                      next_attempt_at=now + timedelta(minutes=5))
    abandoned = sms_row(status=NotificationStatus.SENDING, created_at=old, attempts=1,
                        lease_expires_at=now - timedelta(seconds=1), attempt_started_at=old)
    in_flight = sms_row(status=NotificationStatus.SENDING, created_at=old, attempts=1,
                        lease_expires_at=now + timedelta(seconds=30))
    young = sms_row(status=NotificationStatus.PENDING, created_at=now - timedelta(hours=71), attempts=2)
    sent = sms_row(status=NotificationStatus.SENT, created_at=old)

    assert sending.give_up_on_stuck(now=now) == 2
    statuses = dict(Notification.objects.values_list("pk", "status"))
    assert statuses[retried.pk] == statuses[abandoned.pk] == NotificationStatus.TECHNICAL_FAILURE
    assert statuses[in_flight.pk] == NotificationStatus.SENDING  # its worker is still on it
    assert statuses[young.pk] == NotificationStatus.PENDING
    assert statuses[sent.pk] == NotificationStatus.SENT
    abandoned.refresh_from_db()
    assert abandoned.last_error == "Không gửi được trong 72 giờ; đã ngừng thử."
    # The interrupted attempt stays recorded: a resend asks the provider first.
    assert abandoned.attempt_started_at == old
    assert sending.unsent_ids(now=now) == [young.pk]


def test_a_resent_row_whose_earlier_attempt_got_through_is_not_sent_again(django_capture_on_commit_callbacks):
    from notifications import services
    from notifications.rendering import render_row

    row = sms_row()
    started = timezone.now() - timedelta(minutes=1)
    # The worker rendered and stored the text, sent it, and died before recording; the provider
    # has it and the row was given up on.
    row.body = render_row(row).body
    InMemoryBackend().send(notification_id=row.pk, to=row.recipient, body=row.body)
    Notification.objects.filter(pk=row.pk).update(status=NotificationStatus.TECHNICAL_FAILURE, body=row.body,
                                                  attempt_started_at=started)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.resend(Notification.objects.filter(pk=row.pk)) == 1
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    assert len(InMemoryBackend.outbox) == 1 and row.provider_id == InMemoryBackend.outbox[0]["sid"]


def test_a_single_send_never_takes_another_row_along(postgres):
    sent = sms_row(status=NotificationStatus.SENT)
    waiting = sms_row(status=NotificationStatus.PENDING)
    assert sending.send_notification(sent.pk).outcome == sending.SKIPPED
    waiting.refresh_from_db()
    assert waiting.status == NotificationStatus.PENDING and waiting.attempts == 0
    assert InMemoryBackend.outbox == []


@pytest.mark.postgres
def test_a_batch_claims_the_asked_row_and_other_due_rows_in_one_statement(postgres):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    asked = sms_row(status=NotificationStatus.PENDING)
    others = [sms_row(status=NotificationStatus.PENDING) for _ in range(3)]
    later = sms_row(status=NotificationStatus.PENDING, next_attempt_at=timezone.now() + timedelta(minutes=5))
    # Each dossier also has its email row, due as well: the batch takes those too.
    due = set(Notification.objects.filter(status=NotificationStatus.PENDING, next_attempt_at__isnull=True)
              .values_list("pk", flat=True))
    assert len(due) == 2 * 5 - 1 and later.pk not in due
    with CaptureQueriesContext(connection) as queries:
        outcomes = sending.send_batch(asked.pk, limit=10)
    statements = [query["sql"] for query in queries.captured_queries]
    assert sum("FOR UPDATE SKIP LOCKED" in sql for sql in statements) == 1
    # Recorded as the sends finish, the rows accepted meanwhile in one statement each time.
    assert sum(sql.startswith("UPDATE") for sql in statements) <= 1 + 4
    assert {pk: attempt.outcome for pk, attempt in outcomes.items()} == {pk: sending.SENT for pk in due}
    assert sorted(m["notification_id"] for m in InMemoryBackend.outbox) == sorted(r.pk for r in [asked, *others])
    assert len(mail.outbox) == 5
    later.refresh_from_db()
    assert later.status == NotificationStatus.PENDING  # not due yet
    assert set(Notification.objects.filter(pk__in=due).values_list("status", "attempts", "lease_expires_at")) == {
        (NotificationStatus.SENT, 1, None)}
