"""``dossiers.services.submit_dossier``: the submission service, its rules, its one transaction."""

import uuid

import pytest
from django.db import IntegrityError
from django.utils import timezone

from dossiers import services
from dossiers.declaration import schema_snapshot
from dossiers.models import (
    Dossier,
    DossierCodeSequence,
    DossierEvent,
    DossierFile,
)
from dossiers.services import FilingError, submit_dossier
from dossiers.workflow import DossierStatus
from notifications.models import Notification
from tests.factories import AgencyFactory, ComponentFactory, ProcedureFactory
from tests.filing.support import (  # noqa: F401 - fixtures
    CLEANED_APPLICANT,
    fileable_procedure,
    private_storage,
    stored_attachment,
    submit,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

def test_submit_dossier_writes_the_dossier_its_files_its_history_and_its_outbox_rows():
    procedure = fileable_procedure(fields=[{"key": "noi_sinh", "label": "Nơi sinh"}])
    schema = schema_snapshot(procedure)
    dossier = submit_dossier(procedure=procedure, agency=procedure.agencies.get(), applicant=CLEANED_APPLICANT,
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
    dossier = submit_dossier(procedure=procedure, agency=procedure.agencies.get(), applicant=CLEANED_APPLICANT,
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
    assert refused.value.step == services.AGENCY
    with pytest.raises(FilingError) as refused:
        submit(procedure, attachments=[])
    assert refused.value.step == services.DOCUMENTS
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
