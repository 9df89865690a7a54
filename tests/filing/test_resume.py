"""Save and resume: "Lưu và tiếp tục sau" keeps the draft and gives a secret link that opens it anywhere."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dossiers.models import Dossier, FilingDraft
from filing import wizard
from notifications.models import RESUME_LINK, Notification
from tests.filing.support import (  # noqa: F401
    APPLICANT,
    file_through_wizard,
    fileable_procedure,
    fresh_rate_limits,
    private_storage,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage", "fresh_rate_limits")]


def _save_for_later(client, procedure, data):
    client.post(reverse("filing:start", args=[procedure.code]))
    response = client.post(reverse("filing:declaration", args=[procedure.code]),
                           {**data, "hanh-dong": "luu-tiep-tuc-sau"})
    assert response.status_code == 302 and response.url == reverse("filing:saved", args=[procedure.code])
    page = client.get(response.url).content.decode()
    return re.search(r'id="resume-url" value="([^"]+)"', page).group(1)


def test_a_half_typed_draft_opens_again_on_another_device_with_everything_kept(client):
    procedure = fileable_procedure(components=0)
    half = {key: value for key, value in APPLICANT.items() if key != "nd-phone"}  # not valid yet
    link = _save_for_later(client, procedure, {**half, "nd-phone": "0912 3"})
    other_device = Client()
    response = other_device.get(link.removeprefix("http://testserver"))
    assert response.status_code == 302 and response.url == reverse("filing:declaration", args=[procedure.code])
    page = other_device.get(response.url).content.decode()
    assert 'value="Nguyễn Thị Bình"' in page and 'value="0912 3"' in page
    response = other_device.post(reverse("filing:declaration", args=[procedure.code]), APPLICANT)
    assert response.status_code == 302


def test_a_tampered_expired_or_filed_draft_link_opens_nothing(client):
    procedure = fileable_procedure(components=0)
    link = _save_for_later(client, procedure, APPLICANT).removeprefix("http://testserver")
    assert Client().get(link[:-3] + "abc/").status_code == 404
    assert Client().get("/tiep-tuc-khai/khong-phai/").status_code == 404
    FilingDraft.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert "hết hạn" in Client().get(link).content.decode()
    FilingDraft.objects.update(expires_at=timezone.now() + timedelta(hours=1))
    assert file_through_wizard(client, procedure).status_code == 302  # a new draft; the old one stays open
    old = FilingDraft.objects.order_by("created_at").first()
    old.dossier = Dossier.objects.get()
    old.save()
    assert Client().get(link).status_code == 404


def test_the_link_lives_as_long_as_the_draft(client, settings):
    procedure = fileable_procedure(components=0)
    link = _save_for_later(client, procedure, APPLICANT).removeprefix("http://testserver")
    draft = FilingDraft.objects.get()
    before = draft.expires_at
    Client().get(link)
    draft.refresh_from_db()
    assert draft.expires_at >= before  # opening it pushes the expiry back, like any step
    assert wizard.draft_from_resume_token(wizard.resume_token(draft)) == draft


def test_the_saved_page_says_what_was_sent_and_what_was_wrong(client):
    procedure = fileable_procedure(components=0)
    client.post(reverse("filing:start", args=[procedure.code]))
    response = client.post(reverse("filing:declaration", args=[procedure.code]),
                           {**APPLICANT, "nd-phone": "0912 3", "hanh-dong": "luu-tiep-tuc-sau"}, follow=True)
    page = response.content.decode()
    assert "Đường dẫn tiếp tục khai đã được gửi đến thư điện tử b•••@example.com" in page
    assert "Số điện thoại đã nhập (0912 3) chưa đúng nên không gửi tin nhắn được." in page
    response = client.post(reverse("filing:declaration", args=[procedure.code]),
                           {"nd-full_name": "Nguyễn Thị Bình", "hanh-dong": "luu-tiep-tuc-sau"}, follow=True)
    page = response.content.decode()
    assert "Bạn chưa nhập số điện thoại di động hoặc thư điện tử ở bước Tờ khai" in page
    assert 'id="resume-url"' in page
    assert Notification.objects.filter(draft__isnull=False).count() == 1


def test_one_client_address_asks_for_so_many_links_a_day(client, settings):
    settings.FILING_RESUME_LINK_MINUTES = 0
    settings.FILING_RESUME_LINKS_PER_ADDRESS = "2/d"
    procedure = fileable_procedure(components=0)
    pages = []
    for index in range(3):
        visitor = Client()
        visitor.post(reverse("filing:start", args=[procedure.code]))
        pages.append(visitor.post(reverse("filing:declaration", args=[procedure.code]),
                                  {**APPLICANT, "nd-email": f"nguoi{index}@example.com", "nd-phone": "",
                                   "hanh-dong": "luu-tiep-tuc-sau"}, follow=True).content.decode())
    assert ["đã được gửi đến" in page for page in pages] == [True, True, False]
    assert "quá nhiều yêu cầu gửi đường dẫn tiếp tục khai" in pages[-1]
    assert Notification.objects.filter(draft__isnull=False).count() == 2


def test_an_outbox_row_belongs_to_a_dossier_or_a_draft_never_both_nor_neither(client):
    from django.db import IntegrityError, transaction

    procedure = fileable_procedure(components=0)
    _save_for_later(client, procedure, APPLICANT)
    draft = FilingDraft.objects.get()
    file_through_wizard(Client(), procedure)
    dossier = Dossier.objects.get()
    for owners in ({"dossier": dossier, "draft": draft}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Notification.objects.create(event=RESUME_LINK, channel="sms", recipient="+84912345678", **owners)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(draft=draft, event="received", channel="sms", recipient="+84912345678")


def test_the_resume_messages_and_their_phone_number_go_with_the_expired_draft(client):
    procedure = fileable_procedure(components=0)
    _save_for_later(client, procedure, APPLICANT)
    assert Notification.objects.filter(draft__isnull=False).count() == 2
    FilingDraft.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert wizard.delete_expired_drafts() == 1
    assert not Notification.objects.filter(recipient__in=["+84912345678", APPLICANT["nd-email"]]).exists()
