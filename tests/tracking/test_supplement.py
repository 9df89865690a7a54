"""The citizen's supplement (bổ sung hồ sơ): the secret link, the page, the submission."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from dossiers import deadlines, links, services
from dossiers.models import DossierEvent, DossierFile, DossierFileKind, SupplementRequest
from dossiers.uploads import validate_upload
from dossiers.workflow import Actor, DossierStatus, Event
from notifications.models import Notification
from tests.tracking.helpers import PASSED, clerk_of, filed_dossier, lookup_post, page_text
from tracking.supplements import SupplementLinkError, open_supplement_request, submit_supplement

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
       b"\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture(autouse=True)
def _fresh_rate_limit(settings, tmp_path):
    cache.clear()
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    yield
    cache.clear()


@pytest.fixture
def requested():
    """A received dossier whose clerk asked for two documents (the clock stopped)."""
    dossier = filed_dossier(applicant_name="Nguyễn Văn An")
    clerk = clerk_of(dossier.agency)
    services.receive_dossier(dossier=dossier, actor=clerk)
    supplement_request = services.request_supplement(
        dossier=dossier, actor=clerk, reason="Bản sao giấy chứng sinh bị mờ, không đọc được.",
        missing_items=["Giấy chứng sinh (bản sao rõ nét)", "Bản sao CCCD của người mẹ"])
    dossier.refresh_from_db()
    return dossier, supplement_request, clerk


def path_of(url):
    return url.removeprefix(links.absolute(""))


def supplement_path(supplement_request):
    return path_of(links.supplement_url(supplement_request))


def post_supplement(client, path, *, files=None, note="", captcha=PASSED):
    data = {"note": note, "captcha_0": "test-key", "captcha_1": captcha}
    if files is None:
        files = {"tep_0": [SimpleUploadedFile("chung-sinh.pdf", PDF, "application/pdf")],
                 "tep_1": [SimpleUploadedFile("cccd me.png", PNG, "image/png")]}
    data.update(files)
    return client.post(path, data)


def test_link_opens_the_page_with_reason_and_list(client, requested):
    dossier, supplement_request, _clerk = requested
    response = client.get(supplement_path(supplement_request))
    assert response.status_code == 200
    text = page_text(response)
    assert dossier.code in text and dossier.procedure.name in text
    assert "Bản sao giấy chứng sinh bị mờ, không đọc được." in text
    assert "Giấy chứng sinh (bản sao rõ nét)" in text and "Bản sao CCCD của người mẹ" in text
    assert 'type="file"' in text and 'name="captcha_1"' in text and 'name="note"' in text
    for personal in ("Nguyễn Văn An", dossier.applicant_phone, dossier.applicant_email, dossier.applicant_address,
                     dossier.applicant_id_number):
        assert personal not in text


def test_the_link_is_the_one_the_citizen_was_sent(requested):
    _dossier, supplement_request, _clerk = requested
    sent = Notification.objects.get(event=Event.SUPPLEMENT_REQUESTED, channel="email")
    # Tokens carry their signing time, so a link made now differs from the sent one in its last part.
    address, token = sent.context["supplement_url"].rstrip("/").rsplit("/", 1)
    assert address == links.supplement_url(supplement_request).rstrip("/").rsplit("/", 1)[0]
    object_id, secret = links.read_token(links.SUPPLEMENT, token, max_age_days=1)
    assert (object_id, secret) == (supplement_request.pk, supplement_request.secret)
    assert open_supplement_request(token) == supplement_request


def test_supplement_end_to_end(client, requested):
    dossier, supplement_request, _clerk = requested
    remaining = dossier.remaining_working_days
    assert remaining is not None  # the request stopped the clock
    path = supplement_path(supplement_request)
    mail.outbox.clear()

    response = post_supplement(client, path, note="Đã chụp lại giấy chứng sinh rõ hơn.")
    assert response.status_code == 302
    assert response.url == dossier.get_lookup_url()
    followed = client.get(response.url)
    assert "Đã gửi hồ sơ bổ sung" in page_text(followed)
    assert f'value="{dossier.code}"' in page_text(followed)

    dossier.refresh_from_db()
    supplement_request.refresh_from_db()
    # Back in the clerk's queue, waiting for reception.
    assert dossier.status == DossierStatus.REGISTERED
    # The files are attached to the dossier and linked to the request they answer.
    files = list(DossierFile.objects.filter(dossier=dossier, kind=DossierFileKind.SUPPLEMENT).order_by("id"))
    assert [(f.component_name, f.original_name, f.content_type) for f in files] == [
        ("Giấy chứng sinh (bản sao rõ nét)", "chung-sinh.pdf", "application/pdf"),
        ("Bản sao CCCD của người mẹ", "cccd me.png", "image/png"),
    ]
    assert all(f.supplement_request_id == supplement_request.pk for f in files)
    with default_storage.open(files[0].file.name) as stored:
        assert stored.read() == PDF
    # The request is answered: fulfilled, with the citizen's note.
    assert supplement_request.fulfilled_at is not None
    assert supplement_request.citizen_note == "Đã chụp lại giấy chứng sinh rõ hơn."
    # The history records it, by the citizen; the note stays internal.
    event = DossierEvent.objects.filter(dossier=dossier).latest("id")
    assert (event.action, event.actor_kind, event.from_status, event.to_status) == (
        "supplement", Actor.CITIZEN, DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.REGISTERED)
    assert event.internal_note == "Đã chụp lại giấy chứng sinh rõ hơn." and event.public_note == ""
    # The citizen hears the supplement was received.
    assert Notification.objects.filter(dossier=dossier, event=Event.SUPPLEMENT_RECEIVED).count() == 2
    # The clock restarted with the days that were left.
    assert dossier.remaining_working_days is None
    assert dossier.appointment_date == deadlines.working_days_after(supplement_request.fulfilled_at, remaining)
    assert event.appointment_date == dossier.appointment_date

    # The link is dead now.
    again = client.get(path)
    assert again.status_code == 410
    assert "đã được thực hiện" in page_text(again)
    assert "Bản sao giấy chứng sinh bị mờ" not in page_text(again)

    # The lookup shows the dossier back in the queue.
    text = page_text(lookup_post(client, dossier.code))
    assert "Đã đăng ký trực tuyến, chờ tiếp nhận" in text
    assert "Đã nhận hồ sơ bổ sung" in text
    assert "Đã chụp lại giấy chứng sinh rõ hơn." not in text


def test_reception_after_the_supplement_keeps_the_restarted_date(requested):
    dossier, supplement_request, clerk = requested
    checked = validate_upload(SimpleUploadedFile("a.pdf", PDF, "application/pdf"))
    submit_supplement(supplement_request, files=[("Giấy chứng sinh (bản sao rõ nét)", checked)])
    dossier.refresh_from_db()
    restarted = dossier.appointment_date
    services.receive_dossier(dossier=dossier, actor=clerk)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RECEIVED
    assert dossier.appointment_date == restarted


def test_a_second_submission_is_refused_and_writes_nothing(requested):
    dossier, supplement_request, _clerk = requested
    first = validate_upload(SimpleUploadedFile("a.pdf", PDF, "application/pdf"))
    submit_supplement(supplement_request, files=[("x", first)])
    second = validate_upload(SimpleUploadedFile("b.pdf", PDF, "application/pdf"))
    stale = SupplementRequest.objects.get(pk=supplement_request.pk)
    stale.fulfilled_at = None  # a second browser tab loaded before the first submission
    with pytest.raises(SupplementLinkError) as error:
        submit_supplement(stale, files=[("x", second)])
    assert error.value.reason == SupplementLinkError.USED
    assert DossierFile.objects.filter(dossier=dossier, kind=DossierFileKind.SUPPLEMENT).count() == 1
    assert DossierEvent.objects.filter(dossier=dossier, action="supplement").count() == 1


def test_expired_request(client, requested):
    _dossier, supplement_request, _clerk = requested
    SupplementRequest.objects.filter(pk=supplement_request.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(supplement_path(supplement_request))
    assert response.status_code == 410
    text = page_text(response)
    assert "Đường dẫn này đã hết hạn." in text
    assert "Bản sao giấy chứng sinh bị mờ" not in text
    assert post_supplement(client, supplement_path(supplement_request)).status_code == 410
    assert not DossierFile.objects.filter(kind=DossierFileKind.SUPPLEMENT).exists()


def test_link_older_than_its_lifetime(client, requested):
    _dossier, supplement_request, _clerk = requested
    path = supplement_path(supplement_request)
    with override_settings(SUPPLEMENT_LINK_DAYS=-1):
        response = client.get(path)
    assert response.status_code == 410
    assert "Đường dẫn này đã hết hạn." in page_text(response)


@pytest.mark.parametrize("tamper", [
    lambda token: token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
    lambda token: token[:10] + token[11:],
    lambda token: "khong-phai-ma",
    lambda token: token + "x",
    # A forged signature with the letters "age" in it is a tampered link, not an expired one.
    lambda token: token.rsplit(":", 1)[0] + ":Page" + "A" * 39,
])
def test_tampered_link(client, requested, tamper):
    dossier, supplement_request, _clerk = requested
    token = links.make_token(links.SUPPLEMENT, supplement_request.pk, supplement_request.secret)
    response = client.get(f"/bo-sung/{tamper(token)}/")
    assert response.status_code == 404
    text = page_text(response)
    assert "Đường dẫn không hợp lệ hoặc đã hết hạn" in text
    assert dossier.code not in text and "Bản sao giấy chứng sinh bị mờ" not in text


def test_link_of_another_dossier_or_purpose(client, requested):
    dossier, supplement_request, _clerk = requested
    other = filed_dossier()
    other_request = services.request_supplement(dossier=other, actor=clerk_of(other.agency),
                                                reason="Thiếu giấy tờ khác.", missing_items=["Tờ khai"])
    forged = [
        # This request's id with the other request's secret, and the other way round.
        links.make_token(links.SUPPLEMENT, supplement_request.pk, other_request.secret),
        links.make_token(links.SUPPLEMENT, other_request.pk, supplement_request.secret),
        # A valid token of another purpose for the same id (the result link).
        links.make_token(links.RESULT, supplement_request.pk, supplement_request.secret),
        links.make_token(links.SUPPLEMENT, supplement_request.pk + 1000, ""),
    ]
    for token in forged:
        response = client.get(f"/bo-sung/{token}/")
        assert response.status_code == 404, token
        text = page_text(response)
        assert dossier.code not in text and other.code not in text
        assert "Thiếu giấy tờ khác." not in text


def test_link_closed_when_the_dossier_moved_on(client, requested):
    dossier, supplement_request, clerk = requested
    services.refuse_dossier(dossier=dossier, actor=clerk, reason="Quá hạn bổ sung.")
    response = client.get(supplement_path(supplement_request))
    assert response.status_code == 410
    assert "không còn hiệu lực" in page_text(response)


def test_wrong_file_type_is_refused_and_nothing_is_written(client, requested):
    dossier, supplement_request, _clerk = requested
    response = post_supplement(client, supplement_path(supplement_request), files={
        "tep_0": [SimpleUploadedFile("chung-sinh.pdf", b"MZ\x90\x00 not a pdf at all", "application/pdf")],
        "tep_1": [SimpleUploadedFile("cccd.png", PNG, "image/png")],
    })
    assert response.status_code == 200
    assert "không đúng định dạng cho phép" in page_text(response)
    supplement_request.refresh_from_db()
    dossier.refresh_from_db()
    assert supplement_request.fulfilled_at is None
    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED
    assert not DossierFile.objects.filter(kind=DossierFileKind.SUPPLEMENT).exists()


def test_every_missing_item_needs_a_file(client, requested):
    _dossier, supplement_request, _clerk = requested
    response = post_supplement(client, supplement_path(supplement_request), note="Ghi chú giữ lại",
                               files={"tep_0": [SimpleUploadedFile("a.pdf", PDF, "application/pdf")]})
    text = page_text(response)
    assert "Vui lòng chọn tệp cho giấy tờ này." in text
    assert "Ghi chú giữ lại" in text   # what was typed is kept
    supplement_request.refresh_from_db()
    assert supplement_request.fulfilled_at is None


def test_captcha_is_required_and_checked(client, requested):
    _dossier, supplement_request, _clerk = requested
    path = supplement_path(supplement_request)
    text = page_text(post_supplement(client, path, captcha=""))
    assert "Vui lòng nhập mã xác nhận." in text
    text = page_text(post_supplement(client, path, captcha="SAI"))
    assert "Mã xác nhận không đúng" in text
    supplement_request.refresh_from_db()
    assert supplement_request.fulfilled_at is None


def test_size_limit_of_the_dossier_applies(client, requested):
    _dossier, supplement_request, _clerk = requested
    with override_settings(UPLOAD_MAX_DOSSIER_BYTES=len(PDF) + 10):
        response = post_supplement(client, supplement_path(supplement_request))
    assert "vượt quá giới hạn" in page_text(response)
    assert not DossierFile.objects.filter(kind=DossierFileKind.SUPPLEMENT).exists()


def test_an_older_request_link_stops_working_when_a_newer_one_is_made(client, requested):
    dossier, first_request, clerk = requested
    checked = validate_upload(SimpleUploadedFile("a.pdf", PDF, "application/pdf"))
    submit_supplement(first_request, files=[("x", checked)])
    services.receive_dossier(dossier=dossier, actor=clerk)
    second_request = services.request_supplement(dossier=dossier, actor=clerk, reason="Còn thiếu.",
                                                 missing_items=["Tờ khai"])
    assert client.get(supplement_path(first_request)).status_code == 410
    assert client.get(supplement_path(second_request)).status_code == 200
