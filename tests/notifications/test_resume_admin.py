"""A draft's resume-link messages in the back office: the message log, and the template with its preview."""

import pytest
from django.urls import reverse

from dossiers.models import FilingDraft
from notifications.models import RESUME_LINK, Channel, MessageTemplate
from notifications.services import queue_resume_link
from tests.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


def test_the_log_lists_a_drafts_message_and_opens_it(admin_client):
    draft = FilingDraft.objects.create(procedure=ProcedureFactory(name="Đăng ký kết hôn"))
    [sms, mail] = queue_resume_link(draft, phone="+84912345678", email="ha@example.com",
                                    resume_url="http://127.0.0.1:8000/tiep-tuc-khai/abc/", expires_at="08:00 03/12/2026",
                                    applicant_name="Phạm Thu Hà")
    assert "http://127.0.0.1:8000/tiep-tuc-khai/abc/" in sms.body and "08:00 03/12/2026" in sms.body
    assert "Kính gửi Ông/Bà Phạm Thu Hà" in mail.body and "Đăng ký kết hôn" in mail.subject
    page = admin_client.get(reverse("admin:notifications_notification_changelist")).content.decode()
    assert "Đường dẫn tiếp tục khai hồ sơ" in page
    page = admin_client.get(reverse("admin:notifications_notification_change", args=[sms.pk]))
    assert page.status_code == 200 and "tiep-tuc-khai/abc/" in page.content.decode()


def test_an_administrator_edits_the_resume_links_sms_and_sees_it_rendered(admin_client):
    url = reverse("admin:notifications_messagetemplate_add")
    form = admin_client.get(url, {"event": RESUME_LINK, "channel": Channel.SMS, "language": "vi"})
    assert "{{ resume_url }}" in form.content.decode()  # starts from the shipped default
    response = admin_client.post(url, {"event": RESUME_LINK, "channel": Channel.SMS, "language": "vi",
                                       "subject": "", "body": "Khai tiep {{ procedure }}: {{ resume_url }}",
                                       "_continue": "1"})
    assert response.status_code == 302
    template = MessageTemplate.objects.get()
    page = admin_client.get(reverse("admin:notifications_messagetemplate_change", args=[template.pk])).content.decode()
    assert "Khai tiep" in page and "/tiep-tuc-khai/mau/" in page  # the preview, with a sample link
    assert "{{ resume_url }}" in page and "{{ code }}" not in page.split("biến dùng được")[-1]
    draft = FilingDraft.objects.create(procedure=ProcedureFactory(name="Đăng ký khai sinh"))
    [sms] = queue_resume_link(draft, phone="+84912345678", resume_url="http://x/tiep-tuc-khai/t/", expires_at="")
    assert sms.body.startswith("Khai tiep Dang ky khai sinh: http://x/tiep-tuc-khai/t/") or \
        sms.body.startswith("Khai tiep Đăng ký khai sinh: http://x/tiep-tuc-khai/t/")
