"""Filing a dossier online: the wizard's draft, its checks, and ``submit_dossier``.

``submit_dossier(...)`` is the one way a dossier comes into being from the portal: one
transaction writes the dossier (with its declaration values and the schema they
answered), its attachments, its dossier code and its first history entry, which also
writes the citizen's outbox rows; nothing is sent from the request. ``submit_draft(...)``
does the same from a wizard draft, at most once per draft.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from procedures.models import Agency, Procedure

from . import links
from .codes import next_dossier_code
from .declaration import declaration_form, schema_snapshot
from .filing_forms import ApplicantForm, OptionsForm, allowed_delivery_methods
from .models import (
    ApplicantType,
    DeliveryMethod,
    Dossier,
    DossierFile,
    DossierFileKind,
    FilingDraft,
    FilingDraftFile,
)
from .services import record_event
from .workflow import Actor, DossierStatus, Event

# The wizard's steps, in order: (slug in the URL, name shown in the progress bar).
AGENCY, DECLARATION, DOCUMENTS, REVIEW, CONFIRM = "co-quan", "to-khai", "giay-to", "xem-lai", "xac-nhan"
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
# Prefixes of the three forms of the declaration page; only these keys are kept in a draft.
APPLICANT_PREFIX, DECLARATION_PREFIX, OPTIONS_PREFIX = "nd", "tk", "lp"
MAX_STORED_VALUE_LENGTH = 5000


class FilingError(Exception):
    """A rule between objects forbids the submission; ``step`` is where the citizen can fix it."""

    def __init__(self, message, *, step=None):
        super().__init__(str(message))
        self.message = message
        self.step = step


@dataclass
class Attachment:
    """A file already in the private storage, to attach to the new dossier."""

    component: object
    file_name: str
    original_name: str
    content_type: str
    size: int


# --- What can be filed ----------------------------------------------------------------------------

def fileable_procedures():
    return Procedure.objects.published().filter(service_level__gte=3)


def filing_agencies(procedure):
    """The active agencies that receive ``procedure``, ordered by parent then name."""
    return (procedure.agencies.filter(is_active=True).select_related("parent", "tier")
            .order_by("parent__name", "name"))


def initial_status(procedure, fee_amount):
    """Level 4 with a fee waits for the online payment before reception; everything else is registered."""
    if procedure.pays_online and fee_amount > 0:
        return DossierStatus.AWAITING_PAYMENT
    return DossierStatus.REGISTERED


# --- The service ----------------------------------------------------------------------------------------

def submit_dossier(*, procedure, agency, applicant, declaration, declaration_schema, attachments=(),
                   fee_name="", fee_amount=0, delivery_method=DeliveryMethod.IN_PERSON, delivery_address="",
                   submission_token=None, language="vi"):
    """Create a dossier filed online and return it.

    ``applicant`` holds the cleaned applicant fields (``full_name``, ``birth_date``,
    ``id_number``, ``phone`` normalised, ``email``, ``address``, ``applicant_type``,
    ``organisation_name``, ``tax_code``); ``declaration`` the cleaned declaration values
    and ``declaration_schema`` the field definitions they answered (stored as they are);
    ``attachments`` are ``Attachment``s of files already stored privately.

    Guarantees: one transaction writes the dossier, its code (next number of the agency
    for today, see ``dossiers.codes``), its files, its "registered online" history entry
    and the outbox rows of that event; if anything fails nothing is written and the code
    number is given back. With ``submission_token``, submitting again returns the dossier
    already created with it instead of a second one. Raises ``FilingError`` when a rule
    forbids the submission (procedure not fileable, agency not receiving it, required
    document missing, delivery method not offered, dossier too large).
    """
    _check_rules(procedure=procedure, agency=agency, attachments=attachments, delivery_method=delivery_method,
                 delivery_address=delivery_address)
    if submission_token is not None:
        existing = Dossier.objects.filter(submission_token=submission_token).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            dossier = Dossier.objects.create(
                code=next_dossier_code(agency),
                procedure=procedure,
                agency=agency,
                status=initial_status(procedure, fee_amount),
                submission_token=submission_token,
                language=(language or "vi")[:8],
                applicant_type=applicant.get("applicant_type") or ApplicantType.CITIZEN,
                applicant_name=applicant["full_name"],
                applicant_birth_date=applicant.get("birth_date"),
                applicant_id_number=applicant["id_number"],
                applicant_phone=applicant["phone"],
                applicant_email=applicant.get("email", ""),
                applicant_address=applicant["address"],
                organisation_name=applicant.get("organisation_name", ""),
                organisation_tax_code=applicant.get("tax_code", ""),
                declaration=declaration,
                declaration_schema=declaration_schema,
                fee_name=fee_name,
                fee_amount=fee_amount,
                delivery_method=delivery_method,
                delivery_address=delivery_address if delivery_method == DeliveryMethod.POST else "",
                submitted_at=timezone.now(),
            )
            DossierFile.objects.bulk_create([
                DossierFile(dossier=dossier, component=item.component, component_name=item.component.name,
                            kind=DossierFileKind.APPLICATION, file=item.file_name,
                            original_name=item.original_name, content_type=item.content_type, size=item.size)
                for item in attachments
            ])
            awaiting_payment = dossier.status == DossierStatus.AWAITING_PAYMENT
            record_event(dossier, action="register", from_status="", actor_kind=Actor.CITIZEN,
                         event=Event.REGISTERED,
                         context={"payment_url": links.payment_url(dossier)} if awaiting_payment else None)
    except IntegrityError:
        # Two requests with the same token raced: the other one created the dossier.
        if submission_token is not None:
            existing = Dossier.objects.filter(submission_token=submission_token).first()
            if existing is not None:
                return existing
        raise
    return dossier


def _check_rules(*, procedure, agency, attachments, delivery_method, delivery_address):
    if not procedure.can_file_online:
        raise FilingError(_("Thủ tục này không nộp hồ sơ trực tuyến được."))
    if agency is None or not agency.is_active or not procedure.agencies.filter(pk=agency.pk).exists():
        raise FilingError(_("Cơ quan đã chọn không tiếp nhận thủ tục này. Vui lòng chọn lại."), step=AGENCY)
    attached = {item.component.pk for item in attachments}
    for component in procedure.components.all():
        if component.is_required and component.pk not in attached:
            raise FilingError(_("Còn thiếu giấy tờ bắt buộc: %(name)s.") % {"name": component.name}, step=DOCUMENTS)
    if any(item.component.procedure_id != procedure.pk for item in attachments):
        raise FilingError(_("Tệp đính kèm không thuộc thủ tục này."), step=DOCUMENTS)
    if sum(item.size for item in attachments) > settings.UPLOAD_MAX_DOSSIER_BYTES:
        raise FilingError(_("Tổng dung lượng các tệp vượt quá giới hạn của một hồ sơ."), step=DOCUMENTS)
    if procedure.pays_online:
        offered = {value for value, _label in allowed_delivery_methods(procedure)}
    else:
        offered = {DeliveryMethod.IN_PERSON}
    if delivery_method not in offered:
        raise FilingError(_("Hình thức nhận kết quả này không áp dụng cho thủ tục."), step=DECLARATION)
    if delivery_method == DeliveryMethod.POST and not delivery_address:
        raise FilingError(_("Vui lòng nhập địa chỉ nhận kết quả qua bưu chính."), step=DECLARATION)


# --- The wizard's draft ---------------------------------------------------------------------------

def start_draft(procedure):
    """A new draft; the agency is chosen already when only one agency receives the procedure."""
    agencies = list(filing_agencies(procedure)[:2])
    return FilingDraft.objects.create(procedure=procedure, agency=agencies[0] if len(agencies) == 1 else None)


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

    def is_valid(self):
        # Evaluate all three so each shows its errors.
        return all([self.applicant.is_valid(), self.declaration.is_valid(), self.options.is_valid()])

    @property
    def forms(self):
        return [self.applicant, self.declaration, self.options]


def declaration_forms(draft, data=None):
    """Build the applicant, declaration and options forms for ``draft``, bound to ``data`` or the stored data."""
    procedure = draft.procedure
    schema = schema_snapshot(procedure)
    if data is None and DECLARATION_DATA in draft.data:
        data = MultiValueDict(draft.data[DECLARATION_DATA])
    fees = list(procedure.fees.all())
    applicant = ApplicantForm(data, procedure=procedure, prefix=APPLICANT_PREFIX)
    address = ""
    if data is not None:
        address = (data.get(applicant.add_prefix("address")) or "").strip()
    options = OptionsForm(data, procedure=procedure, fees=fees, default_address=address, prefix=OPTIONS_PREFIX)
    return DraftForms(applicant=applicant, declaration=declaration_form(schema, data, prefix=DECLARATION_PREFIX),
                      options=options, schema=schema)


def draft_total_bytes(draft):
    return draft.files.aggregate(total=Sum("size"))["total"] or 0


def missing_components(draft):
    """The required components with no file in the draft yet."""
    attached = set(draft.files.values_list("component_id", flat=True))
    return [component for component in draft.procedure.components.all()
            if component.is_required and component.pk not in attached]


def first_incomplete_step(draft, forms=None):
    """The first step still to do (``None`` when the draft can be reviewed and submitted)."""
    if draft.agency_id is None or not filing_agencies(draft.procedure).filter(pk=draft.agency_id).exists():
        return AGENCY
    forms = forms or declaration_forms(draft)
    if DECLARATION_DATA not in draft.data or not forms.is_valid():
        return DECLARATION
    if draft.procedure.components.exists() and (not draft.data.get(DOCUMENTS_SEEN) or missing_components(draft)):
        return DOCUMENTS
    return None


@transaction.atomic
def submit_draft(draft, *, language="vi"):
    """Submit the wizard's draft once; return its dossier.

    Locks the draft row first, so a double click or a resubmitted confirm page waits
    for the first request and then gets the same dossier. The stored data is validated
    again (the declaration against the procedure's fields as they are now, whose
    snapshot is stored with the dossier). The draft's files become the dossier's files
    without being copied. Raises ``FilingError`` with the step to go back to.
    """
    draft = FilingDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.dossier_id:
        return draft.dossier
    procedure = Procedure.objects.get(pk=draft.procedure_id)
    draft.procedure = procedure
    forms = declaration_forms(draft)
    step = first_incomplete_step(draft, forms)
    if step is not None:
        raise FilingError(_("Hồ sơ chưa khai đủ thông tin. Vui lòng kiểm tra lại bước này."), step=step)
    fee = forms.options.chosen_fee()
    options = forms.options.cleaned_data
    files = list(draft.files.select_related("component"))
    dossier = submit_dossier(
        procedure=procedure,
        agency=Agency.objects.get(pk=draft.agency_id),
        applicant=forms.applicant.cleaned_data,
        declaration=forms.declaration.values(),
        declaration_schema=forms.schema,
        attachments=[Attachment(component=item.component, file_name=item.file.name, original_name=item.original_name,
                                content_type=item.content_type, size=item.size) for item in files],
        fee_name=fee.name if fee else "",
        fee_amount=fee.amount if fee else 0,
        delivery_method=options.get("delivery_method") or DeliveryMethod.IN_PERSON,
        delivery_address=options.get("delivery_address", ""),
        submission_token=draft.submission_token,
        language=language,
    )
    draft.dossier = dossier
    touch(draft, update_fields=["dossier"])
    # The rows go; their stored files now belong to the dossier's DossierFile rows.
    FilingDraftFile.objects.filter(draft=draft).delete()
    return dossier


def attach_to_draft(draft, component, checked_upload):
    """Store one checked upload (see ``dossiers.uploads.validate_upload``) in the draft at once."""
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
