"""What one visitor may store before filing (issue 17, row 5): drafts per session and per address,
bytes uploaded per address per day, a captcha before the first upload; clear messages, nothing lost."""

import pytest
from django.urls import reverse

from dossiers.models import FilingDraft, FilingDraftFile
from tests.filing.support import (  # noqa: F401 - fixtures
    APPLICANT,
    PASSED,
    fileable_procedure,
    fresh_rate_limits,
    pdf_bytes,
    private_storage,
    upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits", "private_storage")]


def start(client, procedure, address="127.0.0.1"):
    return client.post(reverse("filing:start", args=[procedure.code]), REMOTE_ADDR=address)


def to_documents(client, procedure, address="127.0.0.1"):
    assert start(client, procedure, address).status_code == 302
    response = client.post(reverse("filing:declaration", args=[procedure.code]), APPLICANT, REMOTE_ADDR=address)
    assert response.status_code == 302
    return reverse("filing:documents", args=[procedure.code])


def post_file(client, documents_url, procedure, size, *, captcha=None, address="127.0.0.1"):
    component = procedure.components.first()
    data = {f"tp-{component.pk}": [upload("giay-to.pdf", pdf_bytes(size))], "hanh-dong": "tai-len"}
    if captcha is not None:
        data.update({"captcha_0": "khoa", "captcha_1": captcha})
    return client.post(documents_url, data, REMOTE_ADDR=address)


def test_a_session_holds_a_few_drafts_in_progress(client, settings):
    settings.FILING_DRAFTS_PER_SESSION = 2
    procedures = [fileable_procedure() for _ in range(3)]
    assert start(client, procedures[0]).status_code == 302
    assert start(client, procedures[1]).status_code == 302
    refused = start(client, procedures[2])
    assert refused.status_code == 429
    assert "Bạn đang khai dở 2 hồ sơ" in refused.content.decode()
    assert FilingDraft.objects.count() == 2
    # The drafts in progress are untouched, and starting one of them again is not a new draft.
    assert client.get(reverse("filing:declaration", args=[procedures[0].code])).status_code == 200
    assert start(client, procedures[0]).status_code == 302
    assert FilingDraft.objects.count() == 2


def test_one_address_starts_a_limited_number_of_drafts(client, settings):
    from django.test import Client

    settings.FILING_DRAFTS_PER_ADDRESS = "2/d"
    procedure = fileable_procedure()
    for _ in range(2):
        assert start(Client(), procedure, "198.51.100.40").status_code == 302
    refused = start(Client(), procedure, "198.51.100.40")
    assert refused.status_code == 429
    assert "quá nhiều hồ sơ được bắt đầu khai trong hôm nay" in refused.content.decode()
    assert start(Client(), procedure, "198.51.100.41").status_code == 302
    assert FilingDraft.objects.count() == 3


def test_the_first_upload_of_a_draft_needs_a_captcha(client, settings):
    settings.FILING_UPLOAD_CAPTCHA = True
    procedure = fileable_procedure()
    documents = to_documents(client, procedure)
    page = client.get(documents).content.decode()
    assert 'name="captcha_1"' in page
    refused = post_file(client, documents, procedure, 2000)
    assert refused.status_code == 400
    assert "Các tệp chưa được tải lên" in refused.content.decode()
    assert not FilingDraftFile.objects.exists()
    wrong = post_file(client, documents, procedure, 2000, captcha="SAI")
    assert wrong.status_code == 400 and "Mã xác nhận không đúng" in wrong.content.decode()
    assert not FilingDraftFile.objects.exists()
    assert post_file(client, documents, procedure, 2000, captcha=PASSED).status_code == 302
    assert FilingDraftFile.objects.count() == 1
    # Asked once per draft: the next file needs none, and the page no longer shows it.
    assert post_file(client, documents, procedure, 2000).status_code == 302
    assert FilingDraftFile.objects.count() == 2
    assert 'name="captcha_1"' not in client.get(documents).content.decode()
    # What was typed in the declaration is all there.
    draft = FilingDraft.objects.get()
    assert draft.data["declaration"]["nd-full_name"] == [APPLICANT["nd-full_name"]]


def test_bytes_uploaded_per_address_per_day_are_capped(client, settings):
    settings.FILING_UPLOAD_BYTES_PER_ADDRESS = 5000
    procedure = fileable_procedure()
    documents = to_documents(client, procedure)
    assert post_file(client, documents, procedure, 3000).status_code == 302
    refused = post_file(client, documents, procedure, 3000)
    assert refused.status_code == 200
    assert "đã tải lên quá nhiều dữ liệu trong hôm nay" in refused.content.decode()
    assert FilingDraftFile.objects.count() == 1          # the first file is kept
    # Another address (another citizen behind another connection) is not affected.
    from django.test import Client

    other = Client()
    other_documents = to_documents(other, procedure, "203.0.113.60")
    assert post_file(other, other_documents, procedure, 3000, address="203.0.113.60").status_code == 302
    assert FilingDraftFile.objects.count() == 2
