"""Private files on an S3-protocol object store (dossiers/storage.py), against moto's real server.

The server runs in a subprocess (tests/fixtures/s3.py); "the bucket is down" is that
process killed. What the outside world holds is counted: objects in the bucket, rows in
the database.
"""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.urls import reverse
from django.utils import timezone

from dossiers import services
from dossiers.models import DossierFile, DossierFileKind, FilingDraft, FilingDraftFile, SupplementRequest
from dossiers.storage import PrivateS3Storage, StorageUnavailable
from dossiers.workflow import DossierStatus
from filing.wizard import delete_expired_drafts
from tests.backoffice.helpers import clerk
from tests.filing.support import APPLICANT, file_through_wizard, fileable_procedure, pdf_bytes, upload
from tests.fixtures.s3 import s3_server, s3_storage  # noqa: F401 - fixtures
from tests.tracking.helpers import filed_dossier

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

ADMIN_DOSSIERS = "/quan-tri/dossiers/dossier"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_a_file_is_stored_private_encrypted_and_read_back(s3_storage):  # noqa: F811
    assert isinstance(storages["default"], PrivateS3Storage)
    name = default_storage.save("dossiers/2026/12/to-khai.pdf", ContentFile(pdf_bytes(300_000)))
    assert s3_storage.keys() == [name]
    head = s3_storage.client().head_object(Bucket=s3_storage.bucket, Key=name)
    assert head["ServerSideEncryption"] == "AES256"
    grants = s3_storage.client().get_object_acl(Bucket=s3_storage.bucket, Key=name)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]        # the owner only: private
    assert all(grant["Grantee"].get("URI") is None for grant in grants)        # no AllUsers group
    with default_storage.open(name) as handle:
        assert handle.size == 300_000
        first = handle.read(8192)
        rest = handle.read()
    assert first + rest == pdf_bytes(300_000)
    with pytest.raises(NotImplementedError):
        default_storage.url(name)


def test_names_never_overwrite_and_a_missing_object_is_not_found(s3_storage):  # noqa: F811
    first = default_storage.save("dossiers/x/a.pdf", ContentFile(b"%PDF-1 first"))
    second = default_storage.save("dossiers/x/a.pdf", ContentFile(b"%PDF-1 second"))
    assert first != second
    assert s3_storage.read(first) == b"%PDF-1 first" and s3_storage.read(second) == b"%PDF-1 second"
    with pytest.raises(FileNotFoundError):
        default_storage.open("dossiers/x/none.pdf")
    assert not default_storage.exists("dossiers/x/none.pdf")
    default_storage.delete(first)
    assert s3_storage.keys() == [second]


def test_filed_on_the_object_store_and_the_clerk_streams_it(client, s3_storage):  # noqa: F811
    procedure = fileable_procedure()
    content = pdf_bytes(120_000)
    component = procedure.components.get()
    response = file_through_wizard(client, procedure, files={component.pk: [upload("giay to.pdf", content)]})
    assert response.status_code == 302
    attachment = DossierFile.objects.get()
    assert s3_storage.keys() == [attachment.file.name]
    assert s3_storage.read(attachment.file.name) == content

    client.force_login(clerk(attachment.dossier.agency))
    download = client.get(f"{ADMIN_DOSSIERS}/{attachment.dossier.pk}/tep/{attachment.pk}/")
    assert download.status_code == 200 and download.streaming
    assert b"".join(download.streaming_content) == content


def test_bucket_down_an_upload_is_refused_clearly_and_nothing_is_written(client, s3_storage):  # noqa: F811
    procedure = fileable_procedure(components=2)
    first, second = procedure.components.all()
    code = procedure.code
    client.post(reverse("filing:start", args=[code]))
    assert client.post(reverse("filing:declaration", args=[code]), APPLICANT).status_code == 302
    client.post(reverse("filing:documents", args=[code]), {f"tp-{first.pk}": [upload("mot.pdf", pdf_bytes())]})
    assert len(s3_storage.keys()) == 1

    s3_storage.stop()
    response = client.post(reverse("filing:documents", args=[code]),
                           {f"tp-{second.pk}": [upload("hai.pdf", pdf_bytes())], "hanh-dong": "tiep-tuc"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "kho lưu trữ tạm thời gián đoạn" in page
    assert list(FilingDraftFile.objects.values_list("original_name", flat=True)) == ["mot.pdf"]
    # What was typed is still the draft's: the declaration step shows it again.
    assert APPLICANT["nd-full_name"] in client.get(reverse("filing:declaration", args=[code])).content.decode()

    s3_storage.start()   # back, empty: the second try goes through
    response = client.post(reverse("filing:documents", args=[code]), {f"tp-{second.pk}": [upload("hai.pdf", pdf_bytes())]})
    assert response.status_code == 302
    assert sorted(FilingDraftFile.objects.values_list("original_name", flat=True)) == ["hai.pdf", "mot.pdf"]
    assert len(s3_storage.keys()) == 1


def test_bucket_down_a_supplement_keeps_the_note_and_changes_nothing(client, s3_storage):  # noqa: F811
    dossier = filed_dossier()
    reception = clerk(dossier.agency)
    services.receive_dossier(dossier=dossier, actor=reception)
    supplement_request = services.request_supplement(dossier=dossier, actor=reception, reason="Bản sao bị mờ.",
                                                     missing_items=["Giấy chứng sinh"])
    from dossiers import links

    path = links.supplement_url(supplement_request).removeprefix(links.absolute(""))
    s3_storage.stop()
    response = client.post(path, {"note": "Tôi gửi lại bản rõ nét.", "captcha_0": "k", "captcha_1": "PASSED",
                                  "tep_0": [upload("chung-sinh.pdf", pdf_bytes())]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "kho lưu trữ tạm thời gián đoạn" in page
    assert "Tôi gửi lại bản rõ nét." in page
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED
    assert not DossierFile.objects.filter(kind=DossierFileKind.SUPPLEMENT).exists()
    assert SupplementRequest.objects.get().fulfilled_at is None


def test_bucket_down_the_clerk_gets_a_clear_page_not_a_500(client, s3_storage):  # noqa: F811
    dossier = filed_dossier()
    attachment = DossierFile(dossier=dossier, kind=DossierFileKind.APPLICATION, component_name="Tờ khai",
                             original_name="to-khai.pdf", content_type="application/pdf", size=10)
    attachment.file.save("to-khai.pdf", ContentFile(pdf_bytes()), save=True)
    client.force_login(clerk(dossier.agency))
    s3_storage.stop()
    response = client.get(f"{ADMIN_DOSSIERS}/{dossier.pk}/tep/{attachment.pk}/")
    assert response.status_code == 503
    assert "kho lưu trữ tạm thời không truy cập được" in response.content.decode()
    with pytest.raises(StorageUnavailable):
        default_storage.save("dossiers/x.pdf", ContentFile(b"%PDF-1"))


def test_expired_drafts_remove_their_objects_from_the_store(client, s3_storage):  # noqa: F811
    procedure = fileable_procedure()
    component = procedure.components.get()
    code = procedure.code
    client.post(reverse("filing:start", args=[code]))
    client.post(reverse("filing:declaration", args=[code]), APPLICANT)
    client.post(reverse("filing:documents", args=[code]), {f"tp-{component.pk}": [upload("x.pdf", pdf_bytes())]})
    assert len(s3_storage.keys()) == 1
    FilingDraft.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert delete_expired_drafts() == 1
    assert s3_storage.keys() == []
