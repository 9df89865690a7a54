"""The filing wizard's draft: its steps, what each posted, its files, and its one submission.

A draft (``FilingDraft``) holds what the citizen typed and uploaded between steps, so a
refresh, the back button or an error loses nothing. ``submit_draft(...)`` validates it
once more and hands it to ``dossiers.services.submit_dossier``, at most once per draft.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Sum, prefetch_related_objects
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from accounts.oidc import CitizenIdentity
from accounts.services import record_filed_by
from dossiers.declaration import declaration_form, schema_snapshot
from dossiers.models import DeliveryMethod, DossierFile, FilingDraft, FilingDraftFile
from dossiers.services import (
    AGENCY,
    DECLARATION,
    DOCUMENTS,
    Attachment,
    FilingError,
    agency_receives,
    filing_agencies,
    submit_dossier,
)
from procedures.models import Procedure

from . import parties
from .forms import ApplicantForm, OptionsForm

# The wizard's steps, in order: (slug in the URL, name shown in the progress bar).
# The first three are the parts of a submission a rule can point at (``dossiers.services.FilingError.step``).
REVIEW, CONFIRM = "xem-lai", "xac-nhan"
STEPS = [
    (AGENCY, _("Cơ quan tiếp nhận")),
    (DECLARATION, _("Tờ khai")),
    (DOCUMENTS, _("Giấy tờ đính kèm")),
    (REVIEW, _("Xem lại")),
    (CONFIRM, _("Xác nhận, nộp hồ sơ")),
]
# Draft data keys: what the declaration page posted (applicant, declaration, options forms).
DECLARATION_DATA = "declaration"
DOCUMENTS_SEEN = "documents_seen"
# The VNeID account the draft was started under (``accounts.oidc.CitizenIdentity`` as a dict).
ACCOUNT = "account"
# Prefixes of the three forms of the declaration page; only these keys are kept in a draft.
APPLICANT_PREFIX, DECLARATION_PREFIX, OPTIONS_PREFIX = "nd", "tk", "lp"
MAX_STORED_VALUE_LENGTH = 5000


# --- The wizard's draft ---------------------------------------------------------------------------

def start_draft(procedure, *, account=None):
    """A new draft; the agency is chosen already when only one agency receives the procedure.

    Started by a citizen signed in with VNeID (``account``), the draft keeps the identity,
    so its applicant's name, ID number and birth date come from the claims and stay so.
    """
    agencies = list(filing_agencies(procedure)[:2])
    return FilingDraft.objects.create(procedure=procedure, agency=agencies[0] if len(agencies) == 1 else None,
                                      data={ACCOUNT: account.as_session_data()} if account else {})


def resume_token(draft):
    """The secret of the "continue later" link: signed, naming the draft; it lives as long as the draft."""
    return signing.Signer(salt="filing.resume").sign(str(draft.token))


def draft_from_resume_token(token):
    """The unsubmitted, unexpired draft a resume link names, or None (tampered, expired, already filed)."""
    try:
        draft_token = signing.Signer(salt="filing.resume").unsign(token)
    except signing.BadSignature:
        return None
    try:
        return (FilingDraft.objects.select_related("procedure")
                .filter(token=draft_token, dossier__isnull=True, expires_at__gt=timezone.now()).first())
    except ValidationError:  # a signed value that is not a UUID
        return None


def draft_account(draft):
    """The ``CitizenIdentity`` the draft was started under, or None (anonymous filing)."""
    data = draft.data.get(ACCOUNT)
    return CitizenIdentity(**data) if data else None


def touch(draft, *, update_fields=()):
    """Save the draft's changes and push its expiry back: a draft expires after inactivity."""
    draft.expires_at = timezone.now() + timedelta(hours=settings.WIZARD_DRAFT_HOURS)
    draft.save(update_fields=[*update_fields, "expires_at", "updated_at"])


def store_declaration_data(draft, post_data):
    """Keep what the declaration page posted (its three forms' keys only), valid or not."""
    prefixes = tuple(f"{prefix}-" for prefix in (APPLICANT_PREFIX, DECLARATION_PREFIX, OPTIONS_PREFIX))
    kept = {key: [value[:MAX_STORED_VALUE_LENGTH] for value in values][:50]
            for key, values in post_data.lists() if key.startswith(prefixes)}
    draft.data = {**draft.data, DECLARATION_DATA: kept}
    touch(draft, update_fields=["data"])


@dataclass
class DraftForms:
    """The declaration page's forms, bound to what the draft holds (unbound when nothing was posted)."""

    applicant: ApplicantForm
    declaration: object
    options: OptionsForm
    schema: list = field(default_factory=list)
    # The party of a two-person declaration the applicant is ("" for none; filing/parties.py).
    party: str = ""

    def is_valid(self):
        # Evaluate all three so each shows its errors.
        return all([self.applicant.is_valid(), self.declaration.is_valid(), self.options.is_valid()])

    @property
    def forms(self):
        return [self.applicant, self.declaration, self.options]

    @property
    def party_label(self):
        return str(dict(parties.PARTIES).get(self.party, "")).lower()

    def declaration_values(self):
        """The declaration's cleaned values, the applicant's party filled from the applicant's answers."""
        values = self.declaration.values()
        if self.party:
            values.update(parties.party_values(self.schema, self.party, self.applicant.cleaned_data))
        return values


def declaration_forms(draft, data=None):
    """Build the applicant, declaration and options forms for ``draft``, bound to ``data`` or the stored data."""
    procedure = draft.procedure
    schema = schema_snapshot(procedure)
    if data is None and DECLARATION_DATA in draft.data:
        data = MultiValueDict(draft.data[DECLARATION_DATA])
    fees = list(procedure.fees.all())
    choices = parties.party_choices(schema)
    applicant = ApplicantForm(data, procedure=procedure, account=draft_account(draft), prefix=APPLICANT_PREFIX,
                              parties=choices)
    address, party = "", ""
    if data is not None:
        address = (data.get(applicant.add_prefix("address")) or "").strip()
        party = data.get(applicant.add_prefix("party")) or ""
    party = party if party in dict(choices) else ""
    options = OptionsForm(data, procedure=procedure, fees=fees, default_address=address, prefix=OPTIONS_PREFIX)
    declaration = declaration_form(schema, data, prefix=DECLARATION_PREFIX)
    parties.mark_party_fields(declaration, schema)
    if party:
        parties.take_party_from_applicant(declaration, schema, party)
    return DraftForms(applicant=applicant, declaration=declaration, options=options, schema=schema, party=party)


def draft_total_bytes(draft):
    return draft.files.aggregate(total=Sum("size"))["total"] or 0


def missing_components(draft, files=None):
    """The required components with no file in the draft yet (``files``: the draft's, when read already)."""
    attached = ({item.component_id for item in files} if files is not None
                else set(draft.files.values_list("component_id", flat=True)))
    return [component for component in draft.procedure.components.all()
            if component.is_required and component.pk not in attached]


def first_incomplete_step(draft, forms=None, files=None):
    """The first step still to do (``None`` when the draft can be reviewed and submitted)."""
    if draft.agency_id is None or not agency_receives(draft.procedure, draft.agency):
        return AGENCY
    forms = forms or declaration_forms(draft)
    if DECLARATION_DATA not in draft.data or not forms.is_valid():
        return DECLARATION
    if draft.procedure.components.exists() and (not draft.data.get(DOCUMENTS_SEEN)
                                                or missing_components(draft, files)):
        return DOCUMENTS
    return None


def use_catalogue(draft, procedure):
    """Give ``draft`` the procedure read with its catalogue (``filing.catalogue``) and, from it, its agency.

    Submitting then reads neither again. An agency that no longer receives the procedure is not
    among the procedure's; it is read on its own, and the submission refused.
    """
    draft.procedure = procedure
    agency = next((agency for agency in procedure.agencies.all() if agency.pk == draft.agency_id), None)
    if agency is not None:
        draft.agency = agency


def submit_draft(draft, *, language="vi", locked=False):
    """Submit the wizard's draft once; return its dossier.

    Locks the draft row first, so a double click or a resubmitted confirm page waits
    for the first request and then gets the same dossier (``locked=True``: the caller
    read ``draft`` under that lock in this transaction, with its procedure and agency:
    ``use_catalogue``). The
    stored data is validated again, once (the declaration against the procedure's fields as
    they are now, whose snapshot is stored with the dossier). The draft's files become the
    dossier's files without being copied. Raises ``FilingError`` with the step to go back to.
    """
    # With ``locked``, no savepoint of its own: the caller (the confirm view) holds the lock in
    # its transaction and, on a refusal, touches nothing before that transaction rolls back.
    with transaction.atomic(savepoint=not locked):
        return _submit(draft, language=language, locked=locked)


def _submit(draft, *, language, locked):
    if not locked:
        draft = FilingDraft.objects.select_for_update(of=("self",)).select_related("agency").get(pk=draft.pk)
        if draft.dossier_id:
            return draft.dossier
        draft.procedure = Procedure.objects.get(pk=draft.procedure_id)
    procedure = draft.procedure
    # Read once for the checks here and in submit_dossier (required documents); none of them when
    # the caller read the procedure with them (the confirm view: ``filing.catalogue``).
    prefetch_related_objects([procedure], "components")
    components = {component.pk: component for component in procedure.components.all()}
    # A draft's files belong to its procedure's documents (deleting a document deletes them): a
    # procedure that asks for none has no files to read. Each file gets its document as read with
    # the procedure (one of another procedure's would be read on its own, and refused).
    files = list(draft.files.all()) if components else []
    for item in files:
        if item.component_id in components:
            item.component = components[item.component_id]
    forms = declaration_forms(draft)
    step = first_incomplete_step(draft, forms, files)
    if step is not None:
        raise FilingError(_("Hồ sơ chưa khai đủ thông tin. Vui lòng kiểm tra lại bước này."), step=step)
    fee = forms.options.chosen_fee()
    options = forms.options.cleaned_data
    dossier = submit_dossier(
        procedure=procedure,
        agency=draft.agency,
        applicant=forms.applicant.cleaned_data,
        declaration=forms.declaration_values(),
        declaration_schema=forms.schema,
        attachments=[Attachment(component=item.component, file_name=item.file.name, original_name=item.original_name,
                                content_type=item.content_type, size=item.size) for item in files],
        fee_name=fee.name if fee else "",
        fee_amount=fee.amount if fee else 0,
        delivery_method=options.get("delivery_method") or DeliveryMethod.IN_PERSON,
        delivery_address=options.get("delivery_address", ""),
        submission_token=draft.submission_token,
        # Every submission of this token locks this draft row first and found no dossier on it.
        token_locked=True,
        language=language,
    )
    account = draft_account(draft)
    if account is not None:
        record_filed_by(dossier, account)
    draft.dossier = dossier
    touch(draft, update_fields=["dossier"])
    if files:
        # The rows go; their stored files now belong to the dossier's DossierFile rows. One
        # statement: nothing hangs off these rows, and no receiver has anything to record of a
        # citizen's draft (the audit trail's catch-all post_delete would make Django read them first).
        rows = FilingDraftFile.objects.filter(draft=draft)
        rows._raw_delete(rows.db)
    return dossier


def attach_to_draft(draft, component, checked_upload):
    """Store one checked upload (see ``dossiers.uploads.validate_upload``) in the draft at once.

    The file is stored before its row is written; a store that fails
    (``dossiers.storage.StorageUnavailable``) leaves no row and the caller's transaction usable.
    """
    with transaction.atomic():
        return FilingDraftFile.objects.create(
            draft=draft, component=component, file=checked_upload.file, original_name=checked_upload.name,
            content_type=checked_upload.content_type, size=checked_upload.size,
        )


def remove_from_draft(draft, file_id):
    """Remove one of the draft's files (and its stored file once the removal is committed)."""
    draft_file = draft.files.filter(pk=file_id).first()
    if draft_file is None:
        return False
    name = draft_file.file.name
    draft_file.delete()
    transaction.on_commit(lambda: default_storage.delete(name))
    return True


def delete_expired_drafts(*, now=None):
    """Delete drafts past their expiry, and the stored files of those never submitted.

    Files of submitted drafts belong to their dossier and are never touched (the draft
    rows of those files were removed on submission). Returns the number of drafts deleted.
    """
    now = now or timezone.now()
    expired = FilingDraft.objects.filter(expires_at__lt=now)
    names = list(FilingDraftFile.objects.filter(draft__in=expired).values_list("file", flat=True))
    kept = set(DossierFile.objects.filter(file__in=names).values_list("file", flat=True))
    with transaction.atomic():
        _total, deleted = FilingDraft.objects.filter(expires_at__lt=now).delete()
    for name in names:
        if name not in kept:
            default_storage.delete(name)
    return deleted.get(FilingDraft._meta.label, 0)
