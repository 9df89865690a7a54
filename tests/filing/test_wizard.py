"""``filing.wizard``: a draft becomes one dossier, and expired drafts go with their unsubmitted files."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from dossiers.models import Dossier, FilingDraft, FilingDraftFile
from dossiers.services import DOCUMENTS, FilingError
from filing import wizard
from filing.tasks import delete_expired_drafts
from tests.filing.support import fileable_procedure, private_storage, stored_attachment, submit  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


def test_submit_draft_turns_the_drafts_files_into_the_dossiers_files_once(client):
    procedure = fileable_procedure()
    draft = wizard.start_draft(procedure)
    wizard.store_declaration_data(draft, MultiValueDict({
        "nd-full_name": ["Lê Văn Cường"], "nd-birth_date": ["02/03/1985"], "nd-id_number": ["001 085 000 111"],
        "nd-phone": ["0987654321"], "nd-address": ["Số 9 phố Huế"], "csrfmiddlewaretoken": ["x"]}))
    assert "csrfmiddlewaretoken" not in draft.data["declaration"]
    with pytest.raises(FilingError) as refused:
        wizard.submit_draft(draft)
    assert refused.value.step == DOCUMENTS
    stored = stored_attachment(procedure.components.get())
    FilingDraftFile.objects.create(draft=draft, component=procedure.components.get(), file=stored.file_name,
                                   original_name="a.pdf", content_type="application/pdf", size=stored.size)
    draft.data = {**draft.data, wizard.DOCUMENTS_SEEN: True}
    draft.save()
    dossier = wizard.submit_draft(draft)
    assert dossier.applicant_id_number == "001085000111" and dossier.applicant_phone == "+84987654321"
    assert dossier.files.get().file.name == stored.file_name
    assert not FilingDraftFile.objects.exists()
    assert wizard.submit_draft(draft).pk == dossier.pk
    assert Dossier.objects.count() == 1


def test_expired_drafts_and_their_unsubmitted_files_are_deleted(private_storage):  # noqa: F811 - the fixture
    procedure = fileable_procedure()
    component = procedure.components.get()
    old = wizard.start_draft(procedure)
    fresh = wizard.start_draft(procedure)
    submitted = wizard.start_draft(procedure)
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
