"""``dossiers.filing``: the submission service, its rules, its one transaction, and draft clean-up."""

import uuid
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError
from django.utils import timezone

from dossiers import filing
from dossiers.declaration import schema_snapshot
from dossiers.filing import Attachment, FilingError, submit_dossier
from dossiers.models import (
    Dossier,
    DossierCodeSequence,
    DossierEvent,
    DossierFile,
    FilingDraft,
    FilingDraftFile,
)
from dossiers.tasks import delete_expired_drafts
from dossiers.workflow import DossierStatus
from notifications.models import Notification
from tests.dossiers.filing_support import fileable_procedure, pdf_bytes, private_storage  # noqa: F401
from tests.factories import AgencyFactory, ComponentFactory, ProcedureFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

APPLICANT = {"full_name": "Lê Văn Cường", "birth_date": date(1985, 3, 2), "id_number": "001085000111",
             "phone": "+84987654321", "email": "cuong@example.com", "address": "Số 9 phố Huế, Hà Nội"}


def stored_attachment(component, size=None):
    content = pdf_bytes(size)
    name = default_storage.save(f"dossiers/test/{uuid.uuid4().hex}/to-khai.pdf", ContentFile(content))
    return Attachment(component=component, file_name=name, original_name="Tờ khai.pdf",
                      content_type="application/pdf", size=len(content) if size is None else size)


def submit(procedure, **kwargs):
    kwargs.setdefault("agency", procedure.agencies.first())
    kwargs.setdefault("attachments", [stored_attachment(c) for c in procedure.components.filter(is_required=True)])
    return submit_dossier(procedure=procedure, applicant=APPLICANT, declaration={}, declaration_schema=[], **kwargs)


def test_submit_dossier_writes_the_dossier_its_files_its_history_and_its_outbox_rows():
    procedure = fileable_procedure(fields=[{"key": "noi_sinh", "label": "Nơi sinh"}])
    schema = schema_snapshot(procedure)
    dossier = submit_dossier(procedure=procedure, agency=procedure.agencies.get(), applicant=APPLICANT,
                             declaration={"noi_sinh": "Hà Nội"}, declaration_schema=schema,
                             attachments=[stored_attachment(procedure.components.get())], language="en")
    dossier.refresh_from_db()
    assert dossier.code.endswith(f"-{timezone.localdate():%y%m%d}-0001")
    assert (dossier.applicant_name, dossier.language, dossier.status) == ("Lê Văn Cường", "en",
                                                                          DossierStatus.REGISTERED)
    assert dossier.files.get().component_name == "Tờ khai đăng ký số 1"
    assert dossier.events.get().action == "register"
    assert Notification.objects.filter(dossier=dossier, status="pending").count() == 2


def test_the_schema_snapshot_keeps_the_filed_declaration_unchanged_by_later_edits():
    procedure = fileable_procedure(fields=[{"key": "noi_sinh", "label": "Nơi sinh"}])
    dossier = submit_dossier(procedure=procedure, agency=procedure.agencies.get(), applicant=APPLICANT,
                             declaration={"noi_sinh": "Hà Nội"}, declaration_schema=schema_snapshot(procedure),
                             attachments=[stored_attachment(procedure.components.get())])
    procedure.declaration_fields.update(label="Nơi sinh (ghi rõ bệnh viện)")
    procedure.declaration_fields.all().delete()
    dossier.refresh_from_db()
    assert dossier.declaration_schema[0]["label"] == "Nơi sinh"
    assert dossier.declaration == {"noi_sinh": "Hà Nội"}


@pytest.mark.parametrize("level, fee, status", [
    (3, 50000, DossierStatus.REGISTERED), (4, 50000, DossierStatus.AWAITING_PAYMENT), (4, 0, DossierStatus.REGISTERED),
])
def test_the_initial_status_depends_on_the_level_and_the_fee(level, fee, status):
    procedure = fileable_procedure(level=level)
    dossier = submit(procedure, fee_name="Lệ phí", fee_amount=fee)
    assert dossier.status == status
    assert dossier.events.get().to_status == status


def test_the_same_submission_token_gives_back_the_same_dossier():
    procedure = fileable_procedure()
    token = uuid.uuid4()
    first = submit(procedure, submission_token=token)
    second = submit(procedure, submission_token=token)
    assert first.pk == second.pk
    assert Dossier.objects.count() == 1 and DossierEvent.objects.count() == 1


def test_rules_refuse_what_cannot_be_filed():
    with pytest.raises(FilingError):
        submit(ProcedureFactory(service_level=2))
    with pytest.raises(FilingError):
        submit(ProcedureFactory(service_level=4, is_published=False))
    procedure = fileable_procedure()
    with pytest.raises(FilingError) as refused:
        submit(procedure, agency=AgencyFactory())
    assert refused.value.step == filing.AGENCY
    with pytest.raises(FilingError) as refused:
        submit(procedure, attachments=[])
    assert refused.value.step == filing.DOCUMENTS
    other = ComponentFactory()
    with pytest.raises(FilingError):
        submit(procedure, attachments=[stored_attachment(procedure.components.get()), stored_attachment(other)])
    with pytest.raises(FilingError):
        submit(procedure, delivery_method="post", delivery_address="Hà Nội")  # level 3: in person only
    with pytest.raises(FilingError):
        submit(fileable_procedure(level=4), delivery_method="online")  # no electronic result
    assert not Dossier.objects.exists()


def test_a_failure_inside_the_transaction_leaves_nothing_and_gives_the_number_back():
    procedure = fileable_procedure()
    broken = stored_attachment(procedure.components.get())
    broken.size = -1  # the database refuses it after the dossier row was written
    with pytest.raises(IntegrityError):
        submit(procedure, attachments=[broken])
    assert not Dossier.objects.exists()
    assert not DossierEvent.objects.exists() and not Notification.objects.exists()
    assert not DossierFile.objects.exists()
    sequence = DossierCodeSequence.objects.filter(agency=procedure.agencies.get()).first()
    assert sequence is None or sequence.last_number == 0
    assert submit(procedure).code.endswith("-0001")


def test_submit_draft_turns_the_drafts_files_into_the_dossiers_files_once(client):
    procedure = fileable_procedure()
    draft = filing.start_draft(procedure)
    from django.utils.datastructures import MultiValueDict

    filing.store_declaration_data(draft, MultiValueDict({
        "nd-full_name": ["Lê Văn Cường"], "nd-birth_date": ["02/03/1985"], "nd-id_number": ["001 085 000 111"],
        "nd-phone": ["0987654321"], "nd-address": ["Số 9 phố Huế"], "csrfmiddlewaretoken": ["x"]}))
    assert "csrfmiddlewaretoken" not in draft.data["declaration"]
    with pytest.raises(FilingError) as refused:
        filing.submit_draft(draft)
    assert refused.value.step == filing.DOCUMENTS
    stored = stored_attachment(procedure.components.get())
    FilingDraftFile.objects.create(draft=draft, component=procedure.components.get(), file=stored.file_name,
                                   original_name="a.pdf", content_type="application/pdf", size=stored.size)
    draft.data = {**draft.data, filing.DOCUMENTS_SEEN: True}
    draft.save()
    dossier = filing.submit_draft(draft)
    assert dossier.applicant_id_number == "001085000111" and dossier.applicant_phone == "+84987654321"
    assert dossier.files.get().file.name == stored.file_name
    assert not FilingDraftFile.objects.exists()
    assert filing.submit_draft(draft).pk == dossier.pk
    assert Dossier.objects.count() == 1


def test_expired_drafts_and_their_unsubmitted_files_are_deleted(private_storage):  # noqa: F811 - the fixture
    procedure = fileable_procedure()
    component = procedure.components.get()
    old = filing.start_draft(procedure)
    fresh = filing.start_draft(procedure)
    submitted = filing.start_draft(procedure)
    old_file = FilingDraftFile.objects.create(draft=old, component=component, original_name="a.pdf",
                                              file=stored_attachment(component).file_name,
                                              content_type="application/pdf", size=10)
    dossier = submit(procedure)
    submitted.dossier = dossier
    submitted.save()
    FilingDraft.objects.filter(pk__in=[old.pk, submitted.pk]).update(expires_at=timezone.now() - timedelta(hours=1))
    assert delete_expired_drafts.delay().get() == 2
    assert list(FilingDraft.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not default_storage.exists(old_file.file.name)
    assert default_storage.exists(dossier.files.get().file.name)
