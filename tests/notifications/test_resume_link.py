"""The resume link and the registration messages against the real outbox: a Celery worker, Redis, PostgreSQL,
the Twilio fake and the SMTP server.

The citizen walks the wizard with the test client (committing, like a request would); the tests count
what reached the fakes and open the links found in those messages in another "device" (a fresh client).
"""

import re
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dossiers.models import Dossier, FilingDraft
from filing import quotas
from notifications.models import RESUME_LINK, Channel, Notification, NotificationStatus
from tests.filing.support import (  # noqa: F401
    APPLICANT,
    file_through_wizard,
    fileable_procedure,
    fresh_rate_limits,
    private_storage,
)
from tests.fixtures.celery_worker import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("private_storage", "fresh_rate_limits")]

LINK = re.compile(r"https?://[^\s\"<>]+")


def save_for_later(client, procedure, data=None):
    client.post(reverse("filing:start", args=[procedure.code]))
    response = client.post(reverse("filing:declaration", args=[procedure.code]),
                           {**APPLICANT, **(data or {}), "hanh-dong": "luu-tiep-tuc-sau"})
    assert response.status_code == 302
    return client.get(response.url).content.decode()


def links_in(text, fragment):
    return [link for link in LINK.findall(text) if fragment in link]


def mail_text(mail):
    message = mail["message"]
    part = message.get_body(preferencelist=("plain",)) if message.is_multipart() else message
    return part.get_content()


def test_the_resume_link_reaches_the_phone_and_the_mailbox_once_and_opens_the_draft_elsewhere(outbox, settings):
    settings.FILING_RESUME_LINK_MINUTES = 10
    outbox.start_worker()
    procedure = fileable_procedure(components=0, name="Đăng ký kết hôn")
    client = Client()
    page = save_for_later(client, procedure, {"nd-full_name": "Phạm Thu Hà"})
    assert "Đường dẫn tiếp tục khai đã được gửi đến" in page and "091••••678" in page and "b•••@example.com" in page

    [sms] = outbox.twilio.wait_for_messages(1)
    [mail] = outbox.smtp.wait_for_messages(1)
    draft = FilingDraft.objects.get()
    wait_until(lambda: {row.status for row in draft.notifications.all()} <= {NotificationStatus.QUEUED,
                                                                              NotificationStatus.SENT},
               message="both resume rows recorded as sent")
    assert sms["to"] == "+84912345678"
    assert mail["to"] == [APPLICANT["nd-email"]]
    assert "Đăng ký kết hôn" in str(mail["message"]["Subject"])
    [sms_link] = links_in(sms["body"], "/tiep-tuc-khai/")
    [mail_link] = set(links_in(mail_text(mail), "/tiep-tuc-khai/"))
    assert sms_link == mail_link and sms_link.startswith(outbox.base_url)
    assert "Phạm Thu Hà" in mail_text(mail)
    rows = {row.channel: row for row in Notification.objects.filter(draft=draft)}
    assert set(rows) == {Channel.SMS, Channel.EMAIL}
    assert all(row.dossier_id is None and row.event == RESUME_LINK for row in rows.values())

    # A second press within the interval sends nothing more and says why; the page still shows the link.
    page = save_for_later_again(client, procedure)
    assert "vừa được gửi" in page and "sau 10 phút" in page
    time.sleep(1.5)  # a stray send would have arrived by now
    assert len(outbox.twilio.messages) == 1 and len(outbox.smtp.messages) == 1

    # Another device opens the draft from the SMS, with everything typed.
    other = Client()
    assert other.get(sms_link.removeprefix(outbox.base_url)).status_code == 302
    page = other.get(reverse("filing:declaration", args=[procedure.code])).content.decode()
    assert 'value="Phạm Thu Hà"' in page and 'value="0912 345 678"' in page

    # The interval over, asking again sends exactly one more of each.
    draft.refresh_from_db()
    earlier = (timezone.now() - timedelta(minutes=11)).isoformat()
    FilingDraft.objects.filter(pk=draft.pk).update(data={**draft.data, quotas.RESUME_SENT_AT: earlier})
    assert other.post(reverse("filing:saved", args=[procedure.code])).status_code == 302
    outbox.twilio.wait_for_messages(2)
    outbox.smtp.wait_for_messages(2)
    time.sleep(1.5)
    assert len(outbox.twilio.messages) == 2 and len(outbox.smtp.messages) == 2

    # The link expires with the draft.
    FilingDraft.objects.filter(pk=draft.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    page = Client().get(sms_link.removeprefix(outbox.base_url))
    assert page.status_code == 404 and "hết hạn" in page.content.decode()


def save_for_later_again(client, procedure):
    response = client.post(reverse("filing:declaration", args=[procedure.code]),
                           {**APPLICANT, "nd-full_name": "Phạm Thu Hà", "hanh-dong": "luu-tiep-tuc-sau"})
    assert response.status_code == 302
    return client.get(response.url).content.decode()


def test_one_phone_gets_only_its_daily_share_whatever_the_drafts_and_sessions(outbox, settings):
    """A hostile visitor starting draft after draft with someone else's number cannot flood that phone."""
    settings.FILING_RESUME_LINK_MINUTES = 0
    settings.FILING_RESUME_LINKS_PER_RECIPIENT = "2/d"
    outbox.start_worker()
    procedure = fileable_procedure(components=0)
    pages = [save_for_later(Client(), procedure, {"nd-email": ""}) for _ in range(4)]
    assert ["Đường dẫn tiếp tục khai đã được gửi đến" in page for page in pages] == [True, True, False, False]
    assert "đã nhận đủ số đường dẫn cho phép trong hôm nay" in pages[-1]
    outbox.twilio.wait_for_messages(2)
    time.sleep(1.5)
    assert len(outbox.twilio.messages) == 2 and len(outbox.smtp.messages) == 0
    assert Notification.objects.filter(event=RESUME_LINK).count() == 2


def test_the_registration_sms_and_email_open_the_status_without_a_captcha_and_the_receipt(outbox):
    outbox.start_worker()
    procedure = fileable_procedure(components=0)
    assert file_through_wizard(Client(), procedure).status_code == 302
    dossier = Dossier.objects.get()
    [sms] = outbox.twilio.wait_for_messages(1)
    [mail] = outbox.smtp.wait_for_messages(1)
    wait_until(lambda: all(row.status in (NotificationStatus.QUEUED, NotificationStatus.SENT)
                           for row in dossier.notifications.all()), message="both rows sent")
    html = mail["message"].get_body(preferencelist=("html",)).get_content()
    for text in (sms["body"], mail_text(mail), html):
        [status_link] = set(links_in(text, "/tim-kiem/"))
        [receipt_link] = set(links_in(text, "/bien-nhan/"))
        device = Client()  # another device, no session, no captcha answered
        page = device.get(status_link.removeprefix(outbox.base_url))
        body = page.content.decode()
        # The dossier's status, shown at once, with what only the applicant may see (no captcha answered).
        assert page.status_code == 200 and f'class="dossier-code">{dossier.code}<' in body
        assert 'class="masked-name"' in body and "second-factor-hint" not in body
        receipt = device.get(receipt_link.removeprefix(outbox.base_url))
        assert receipt.status_code == 200 and dossier.code in receipt.content.decode()
    # The typed-code lookup still asks for the captcha before it shows anything.
    typed = Client().get(dossier.get_lookup_url()).content.decode()
    assert 'name="captcha_1"' in typed and 'class="dossier-code"' not in typed
