"""The back office of the outbox: message log with its dashboard, resend, templates with a preview."""

import pytest
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import escape

from dossiers.workflow import Event
from notifications.models import Channel, MessageTemplate, Notification, NotificationStatus
from notifications.rendering import render_row
from notifications.sms import InMemoryBackend
from tests.factories import DossierFactory

pytestmark = pytest.mark.django_db


def make_row(status, channel=Channel.SMS, **fields):
    return Notification.objects.create(dossier=fields.pop("dossier", None) or DossierFactory(), event=Event.REFUSED,
                                       channel=channel, recipient="+84912345678", body="Ho so bi tu choi",
                                       status=status, **fields)


def test_the_log_shows_a_dashboard_of_the_last_day(admin_client):
    make_row(NotificationStatus.FAILED, last_error="Twilio HTTP 400, mã lỗi 21211")
    make_row(NotificationStatus.DELIVERED)
    make_row(NotificationStatus.DELIVERED, channel=Channel.EMAIL)
    response = admin_client.get(reverse("admin:notifications_notification_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tin nhắn, thư trong 24 giờ qua: 3" in page
    assert '<td data-status="delivered"><a href="?status__exact=delivered">2</a></td>' in page
    assert '<td data-status="failed"><a href="?status__exact=failed">1</a></td>' in page
    assert "21211" in page


def test_filter_by_status(admin_client):
    failed = make_row(NotificationStatus.FAILED)
    make_row(NotificationStatus.DELIVERED)
    response = admin_client.get(reverse("admin:notifications_notification_changelist"), {"status__exact": "failed"})
    assert [row.pk for row in response.context["cl"].result_list] == [failed.pk]


def test_resend_puts_failed_messages_back_and_sends_them(admin_client, django_capture_on_commit_callbacks):
    failed = make_row(NotificationStatus.FAILED, attempts=10, last_error="ConnectionError")
    delivered = make_row(NotificationStatus.DELIVERED)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:notifications_notification_changelist"), {
            "action": "resend_failed", "_selected_action": [failed.pk, delivered.pk]}, follow=True)
    assert "Đã đưa 1 tin vào hàng đợi gửi lại." in response.content.decode()
    failed.refresh_from_db(), delivered.refresh_from_db()
    assert failed.status == NotificationStatus.SENT and failed.attempts == 1
    assert delivered.status == NotificationStatus.DELIVERED
    assert [m["notification_id"] for m in InMemoryBackend.outbox] == [failed.pk]


def test_a_dossiers_message_log_inline(admin_user):
    from django.contrib.admin import site
    from django.test import RequestFactory

    from dossiers.models import Dossier
    from notifications.admin import NotificationInline

    dossier = DossierFactory()
    make_row(NotificationStatus.QUEUED, dossier=dossier, provider_id="SM123")
    inline = NotificationInline(Dossier, site)
    request = RequestFactory().get("/")
    request.user = admin_user
    assert not inline.has_add_permission(request, dossier)
    assert list(inline.get_queryset(request).filter(dossier=dossier).values_list("provider_id", flat=True)) == ["SM123"]


def test_a_new_template_starts_from_the_default(admin_client):
    url = reverse("admin:notifications_messagetemplate_add")
    response = admin_client.get(url, {"event": "received", "channel": "email", "language": "en"})
    form = response.context["adminform"].form
    assert form.initial["subject"] == "Dossier {{ code }} has been received"
    assert "{{ appointment_date }}" in form.initial["body"]


def test_template_preview(admin_client):
    dossier = DossierFactory()
    template = MessageTemplate.objects.create(event=Event.RECEIVED, channel=Channel.SMS, language="vi",
                                              body="Hồ sơ {{ code }} đã được tiếp nhận tại {{ agency }}.")
    response = admin_client.get(reverse("admin:notifications_messagetemplate_change", args=[template.pk]))
    page = response.content.decode()
    assert f"Ho so {dossier.code} da duoc tiep nhan tai UBND phuong Thu Nghiem" in page
    assert "1 tin SMS" in page
    assert "{{ supplement_url }}" in page  # the list of variables


def test_a_template_with_a_syntax_error_is_refused(admin_client):
    response = admin_client.post(reverse("admin:notifications_messagetemplate_add"), {
        "event": "received", "channel": "sms", "language": "vi", "subject": "", "body": "{% if code %}x"})
    assert response.status_code == 200
    assert "Mẫu không hợp lệ" in response.content.decode()
    assert not MessageTemplate.objects.exists()


def test_a_clerk_sees_only_the_messages_of_their_agencies(client):
    from tests.backoffice.helpers import clerk

    own = DossierFactory()
    other = DossierFactory()
    make_row(NotificationStatus.SENT, dossier=own, provider_id="SM-own-agency")
    make_row(NotificationStatus.SENT, dossier=other, provider_id="SM-other-agency")
    client.force_login(clerk(own.agency))

    page = client.get(reverse("admin:notifications_notification_changelist")).content.decode()
    other_row = Notification.objects.get(dossier=other)

    assert "SM-own-agency" in page
    assert "SM-other-agency" not in page
    assert client.get(reverse("admin:notifications_notification_change", args=[other_row.pk])).status_code in (302, 404)


def test_a_clerks_dashboard_counts_only_their_agencies_messages(client, admin_client):
    from tests.backoffice.helpers import clerk

    own = DossierFactory()
    other = DossierFactory()
    make_row(NotificationStatus.FAILED, dossier=own)
    make_row(NotificationStatus.FAILED, dossier=other)
    make_row(NotificationStatus.DELIVERED, dossier=other)
    make_row(NotificationStatus.TECHNICAL_FAILURE, dossier=other)
    client.force_login(clerk(own.agency))
    url = reverse("admin:notifications_notification_changelist")

    page = client.get(url).content.decode()
    assert "Tin nhắn, thư trong 24 giờ qua: 1" in page
    assert '<td data-status="failed"><a href="?status__exact=failed">1</a></td>' in page
    assert '<td data-status="delivered"><a href="?status__exact=delivered">0</a></td>' in page
    assert 'data-technical-failures="0"' in page
    # A superuser sees them all.
    page = admin_client.get(url).content.decode()
    assert "Tin nhắn, thư trong 24 giờ qua: 4" in page
    assert '<td data-status="failed"><a href="?status__exact=failed">2</a></td>' in page


def test_technical_failures_of_any_age_are_counted_and_resent_by_an_operator(admin_client,
                                                                              django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    old = make_row(NotificationStatus.TECHNICAL_FAILURE, created_at=timezone.now() - timedelta(days=4),
                   attempts=3, last_error="Không gửi được trong 72 giờ; đã ngừng thử.")
    url = reverse("admin:notifications_notification_changelist")
    page = admin_client.get(url).content.decode()
    assert 'data-technical-failures="1"' in page
    assert "1 tin lỗi kỹ thuật" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"action": "resend_failed", "_selected_action": [old.pk]}, follow=True)
    assert "Đã đưa 1 tin vào hàng đợi gửi lại." in response.content.decode()
    old.refresh_from_db()
    assert old.status == NotificationStatus.SENT
    assert [m["notification_id"] for m in InMemoryBackend.outbox] == [old.pk]


def test_a_row_not_yet_sent_shows_the_text_it_will_carry(admin_client):
    """The event's request writes the rows without their text; the operator still reads the words."""
    from dossiers import services

    dossier = DossierFactory(applicant_email="binh@example.com", applicant_phone="+84912345678")
    services.record_event(dossier, action="register", from_status="", event=Event.REGISTERED)
    rows = {row.channel: row for row in Notification.objects.filter(dossier=dossier)}
    assert set(rows) == {Channel.SMS, Channel.EMAIL} and not any(row.body for row in rows.values())
    for channel, row in rows.items():
        page = admin_client.get(reverse("admin:notifications_notification_change", args=[row.pk])).content.decode()
        preview = render_row(row)
        assert dossier.code in preview.body
        assert str(linebreaksbr(preview.body)) in page, channel
        assert "Chưa gửi: nội dung trên được dựng từ thông tin lúc sự kiện xảy ra" in page
        if channel == Channel.EMAIL:
            assert preview.subject and escape(preview.subject) in page
    # Looking stores nothing: the worker stores the words it sends.
    assert not Notification.objects.filter(dossier=dossier).exclude(body="").exists()
    Notification.objects.filter(pk=rows[Channel.SMS].pk).update(body="Tin đã gửi\ndòng hai", status="sent")
    sent = admin_client.get(reverse("admin:notifications_notification_change", args=[rows[Channel.SMS].pk]))
    page = sent.content.decode()
    assert "Tin đã gửi<br>dòng hai" in page and "Chưa gửi:" not in page
