"""Retention of personal data: a closed dossier before and after its anonymisation."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers.models import Dossier, DossierEvent, DossierFile, DossierFileKind, Rating
from dossiers.workflow import DossierStatus
from retention.models import Anonymisation
from retention.services import anonymise_expired_dossiers
from retention.tasks import anonymise_expired_dossiers as anonymise_task
from tests.tracking.helpers import clerk_of, filed_dossier, returned

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% ket qua\n%%EOF\n"


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    settings.PERSONAL_DATA_RETENTION_YEARS = 5


def closed_dossier(years_ago, *, django_capture_on_commit_callbacks=None):
    dossier = filed_dossier(declaration={"ho_ten_con": "Nguyễn Văn Bình", "ngay_sinh_con": "2020-01-02"},
                            delivery_method="online")
    name = default_storage.save("dossiers/2020/01/abc/to-khai.pdf", ContentFile(PDF))
    DossierFile.objects.create(dossier=dossier, kind=DossierFileKind.APPLICATION, file=name,
                               original_name="to-khai.pdf", content_type="application/pdf", size=len(PDF))
    dossier = returned(dossier, clerk_of(dossier.agency),
                       result_file=SimpleUploadedFile("ket-qua.pdf", PDF, "application/pdf"), method="online")
    Rating.objects.create(dossier=dossier, score="satisfied", comment="Chị Lan ở bộ phận một cửa rất nhiệt tình")
    # The whole history happened ``years_ago``.
    DossierEvent.objects.filter(dossier=dossier).update(
        created_at=dossier.submitted_at - timedelta(days=round(365.25 * years_ago)))
    return dossier


def test_a_dossier_before_and_after(django_capture_on_commit_callbacks):
    dossier = closed_dossier(6)
    stored = [item.file.name for item in dossier.files.all()]
    assert len(stored) == 2 and all(default_storage.exists(name) for name in stored)
    before = Dossier.objects.get(pk=dossier.pk)
    assert before.applicant_name == "Nguyễn Văn An" and before.applicant_phone and before.declaration

    with django_capture_on_commit_callbacks(execute=True):
        assert anonymise_expired_dossiers() == 1

    after = Dossier.objects.get(pk=dossier.pk)
    # Gone: who the applicant is, what they declared, their files.
    assert after.applicant_name == "—"
    assert (after.applicant_id_number, after.applicant_phone, after.applicant_email, after.applicant_address) \
        == ("", "", "", "")
    assert after.applicant_birth_date is None and after.declaration == {}
    assert not after.files.exists()
    assert not any(default_storage.exists(name) for name in stored)
    assert Rating.objects.get(dossier=after).comment == ""
    # Kept: the code, procedure, agency, dates, status, rating score and the whole history.
    assert (after.code, after.procedure_id, after.agency_id, after.status) \
        == (before.code, before.procedure_id, before.agency_id, DossierStatus.RETURNED)
    assert (after.submitted_at, after.received_at, after.appointment_date, after.result_ready_at,
            after.returned_at) == (before.submitted_at, before.received_at, before.appointment_date,
                                   before.result_ready_at, before.returned_at)
    assert Rating.objects.get(dossier=after).score == "satisfied"
    last = DossierEvent.objects.filter(dossier=after).last()
    assert last.action == "anonymise" and "Đã xóa dữ liệu cá nhân và 2 tệp" in last.internal_note
    assert DossierEvent.objects.filter(dossier=after).count() == 6
    record = Anonymisation.objects.get(dossier=after)
    assert record.files_deleted == 2


def test_recent_and_open_dossiers_are_kept(django_capture_on_commit_callbacks):
    recent = closed_dossier(4)
    still_open = filed_dossier()
    DossierEvent.objects.filter(dossier=still_open).update(created_at=still_open.submitted_at - timedelta(days=3000))
    with django_capture_on_commit_callbacks(execute=True):
        assert anonymise_expired_dossiers() == 0
    assert Dossier.objects.get(pk=recent.pk).applicant_name == "Nguyễn Văn An"
    assert Dossier.objects.get(pk=still_open.pk).applicant_name == "Nguyễn Văn An"
    assert recent.files.count() == 2


def test_the_task_runs_once_per_dossier(django_capture_on_commit_callbacks):
    closed_dossier(7)
    closed_dossier(8)
    with django_capture_on_commit_callbacks(execute=True):
        assert anonymise_task.delay().get() == 2
        assert anonymise_task.delay().get() == 0
    assert Anonymisation.objects.count() == 2
    assert DossierEvent.objects.filter(action="anonymise").count() == 2
