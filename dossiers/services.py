"""Operations that change a dossier. Each runs in one transaction with its history and messages.

``submit_dossier(...)`` is the one way a dossier comes into being online: one transaction
writes the dossier (with its declaration values and the schema they answered), its
attachments, its dossier code and its first history entry; every other function is one
arrow of the transition table (``dossiers.workflow``). Each history entry that tells the
citizen something sends ``dossiers.signals.event_recorded`` in the same transaction, so
the outbox rows the notifications app writes for it commit or roll back with the change.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procedures.models import Procedure

from . import deadlines, links
from .codes import next_dossier_code
from .models import (
    ApplicantType,
    DeliveryMethod,
    Dossier,
    DossierEvent,
    DossierFile,
    DossierFileKind,
    SupplementRequest,
)
from .signals import event_recorded, history_recorded, result_file_stored
from .uploads import validate_upload
from .workflow import Actor, DossierStatus, Event, get_transition


class DossierChanged(Exception):
    """The dossier changed since the page the clerk acted on was loaded."""


def record_event(dossier, *, action, from_status, actor=None, actor_kind=Actor.SYSTEM, event=None,
                 public_note="", internal_note="", context=None):
    """Append a history entry and queue the citizen's messages for ``event``, in the caller's transaction."""
    entry = DossierEvent.objects.create(
        dossier=dossier, actor=actor, actor_kind=actor_kind, action=action, from_status=from_status,
        to_status=dossier.status, public_note=public_note, internal_note=internal_note,
        appointment_date=dossier.appointment_date,
    )
    history_recorded.send(sender=DossierEvent, dossier=dossier, entry=entry)
    if event:
        event_recorded.send(sender=DossierEvent, dossier=dossier, event=event,
                            context={"note": public_note, **(context or {})})
    return entry


@transaction.atomic
def apply_transition(dossier, action, *, actor=None, actor_kind=None, expected_version=None,
                     public_note="", internal_note="", changes=None, context=None):
    """Move ``dossier`` through ``action`` of the transition table.

    Locks the row, checks the action is allowed from the current status (and, when
    ``expected_version`` is given, that nobody changed the dossier meanwhile), applies
    ``changes`` (field values), bumps the version, writes the history entry and queues
    the notifications, all in one transaction. Raises ``TransitionNotAllowed`` or
    ``DossierChanged``; then nothing is written.
    """
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if expected_version is not None and locked.version != int(expected_version):
        raise DossierChanged(locked.code)
    transition = get_transition(action, locked.status)
    from_status = locked.status
    for field, value in (changes or {}).items():
        setattr(locked, field, value)
    if transition.target is not None:
        locked.status = transition.target
    locked.version += 1
    locked.save()
    record_event(
        locked, action=action, from_status=from_status, actor=actor,
        actor_kind=actor_kind or transition.actor, event=transition.event,
        public_note=public_note, internal_note=internal_note, context=context,
    )
    # Hand the caller the fresh state without another query.
    dossier.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return locked


# --- The back office (bộ phận một cửa) ----------------------------------------------------------
# Each function below is one arrow of the transition table, called by the admin (and the
# demo seed, the tasks, the tests). Keyword-only; ``expected_version`` is the version the
# clerk's page showed, so a clerk acting on a stale page gets ``DossierChanged``.


def _lock(dossier):
    return Dossier.objects.select_for_update().get(pk=dossier.pk)


def _date_text(day):
    return day.strftime("%d/%m/%Y") if day else ""


def _date_context(name, day):
    return {name: _date_text(day), f"{name}_iso": day.isoformat() if day else ""}


def _clean_text(value):
    return (value or "").strip()


def _require(value, message):
    if not _clean_text(value):
        raise ValidationError(message)
    return _clean_text(value)


@transaction.atomic
def receive_dossier(*, dossier, actor, expected_version=None, at=None, note=""):
    """Receive a dossier at the one-stop shop (tiếp nhận) and fix its appointment date.

    The appointment date is the procedure's processing time in working days from the
    reception (``dossiers.deadlines``: cut-off hour, weekends, holidays, overrides). A
    dossier received once before (it came back after a supplement) keeps its clock: the
    days left when the supplement was requested, restarted at the supplement (or now,
    if nothing restarted it yet). The citizen is told the appointment date.
    """
    at = at or timezone.now()
    locked = _lock(dossier)
    changes = {"remaining_working_days": None}
    if locked.received_at is None:
        changes["received_at"] = at
        changes["appointment_date"] = deadlines.appointment_for(locked, at)
    elif locked.remaining_working_days is not None:
        changes["appointment_date"] = deadlines.working_days_after(at, locked.remaining_working_days)
    else:
        changes["appointment_date"] = locked.appointment_date
    return apply_transition(
        dossier, "receive", actor=actor, actor_kind=Actor.CLERK, expected_version=expected_version,
        internal_note=_clean_text(note), changes=changes,
        context=_date_context("appointment_date", changes["appointment_date"]),
    )


@transaction.atomic
def request_supplement(*, dossier, actor, reason, missing_items, expected_version=None, at=None):
    """Ask the citizen for missing documents (yêu cầu bổ sung, hoàn thiện hồ sơ) and stop the clock.

    Creates the ``SupplementRequest`` with a fresh secret (its link expires after
    ``settings.SUPPLEMENT_LINK_DAYS``), stores the working days left on the dossier, and
    tells the citizen the reason, the list and the link.
    """
    reason = _require(reason, _("Cần nêu lý do yêu cầu bổ sung."))
    if isinstance(missing_items, str):
        missing_items = missing_items.splitlines()
    items = [item.strip() for item in missing_items if item and item.strip()]
    if not items:
        raise ValidationError(_("Cần liệt kê ít nhất một giấy tờ phải bổ sung."))
    at = at or timezone.now()
    locked = _lock(dossier)
    remaining = locked.remaining_working_days
    if remaining is None:
        remaining = deadlines.stop_clock(locked, at)
    supplement_request = SupplementRequest.objects.create(
        dossier=locked, reason=reason, missing_items="\n".join(items), requested_by=actor, created_at=at,
        expires_at=at + timedelta(days=settings.SUPPLEMENT_LINK_DAYS), secret=secrets.token_urlsafe(32),
    )
    apply_transition(
        dossier, "request_supplement", actor=actor, actor_kind=Actor.CLERK, expected_version=expected_version,
        public_note=reason, changes={"remaining_working_days": remaining},
        context={
            "supplement_url": links.supplement_url(supplement_request),
            "reason": reason,
            "missing_items": items,
            **_date_context("expires_at", timezone.localdate(supplement_request.expires_at)),
        },
    )
    return supplement_request


@transaction.atomic
def refuse_dossier(*, dossier, actor, reason, expected_version=None):
    """Refuse the dossier (từ chối tiếp nhận, giải quyết) with the reason the citizen is told."""
    reason = _require(reason, _("Cần nêu lý do từ chối."))
    return apply_transition(
        dossier, "refuse", actor=actor, actor_kind=Actor.CLERK, expected_version=expected_version,
        public_note=reason, changes={"closed_reason": reason}, context={"reason": reason},
    )


@transaction.atomic
def assign_dossier(*, dossier, actor, specialist, note="", expected_version=None):
    """Hand a received dossier to a specialist of its agency (chuyển xử lý)."""
    if specialist is None or not dossier.agency.staff.filter(pk=specialist.pk).exists():
        raise ValidationError(_("Chuyên viên xử lý phải là cán bộ của cơ quan tiếp nhận hồ sơ."))
    return apply_transition(
        dossier, "assign", actor=actor, actor_kind=Actor.CLERK, expected_version=expected_version,
        internal_note=_clean_text(note) or str(_("Chuyển chuyên viên: %(name)s") % {
            "name": specialist.get_full_name() or specialist.get_username()}),
        changes={"assigned_to": specialist},
        context=_date_context("appointment_date", dossier.appointment_date),
    )


@transaction.atomic
def record_result(*, dossier, actor, note="", result_file=None, expected_version=None, at=None):
    """Record the result (có kết quả): a note, a result document (``DossierFile`` kind=result), or both.

    ``result_file`` is an uploaded file; it is checked like a citizen's upload (real
    content type, size) and stored privately.
    """
    note = _clean_text(note)
    if not note and result_file is None:
        raise ValidationError(_("Cần nhập nội dung kết quả hoặc tải lên văn bản kết quả."))
    checked = validate_upload(result_file) if result_file is not None else None
    at = at or timezone.now()
    locked = apply_transition(
        dossier, "record_result", actor=actor, actor_kind=Actor.CLERK, expected_version=expected_version,
        public_note=note, changes={"result_note": note, "result_ready_at": at},
        context={"delivery_method": str(DeliveryMethod(dossier.delivery_method).label),
                 "result_note": note,
                 # The electronic result is only ever handed over through its secret link.
                 **({"result_url": links.result_url(dossier)}
                    if checked is not None and dossier.delivery_method == DeliveryMethod.ONLINE else {})},
    )
    if checked is not None:
        result_file = DossierFile.objects.create(
            dossier=locked, kind=DossierFileKind.RESULT, component_name=str(_("Kết quả giải quyết")),
            file=checked.file, original_name=checked.name, content_type=checked.content_type,
            size=checked.size, uploaded_at=at,
        )
        result_file_stored.send(sender=DossierFile, dossier=locked, result_file=result_file)
    return locked


def _originals_note(originals_collected, note):
    parts = [str(_("Đã thu bản chính giấy tờ theo quy định."))] if originals_collected else []
    if _clean_text(note):
        parts.append(_clean_text(note))
    return "\n".join(parts)


@transaction.atomic
def return_result(*, dossier, actor, method=DeliveryMethod.IN_PERSON, originals_collected=False, note="",
                  expected_version=None, at=None):
    """Hand the result over (trả kết quả) in person or online; by post is ``dispatch_result``."""
    if method not in DeliveryMethod.values:
        raise ValidationError(_("Hình thức trả kết quả không hợp lệ."))
    at = at or timezone.now()
    return apply_transition(
        dossier, "return_result", actor=actor, actor_kind=Actor.CLERK, expected_version=expected_version,
        internal_note=_originals_note(originals_collected, note),
        changes={"returned_at": at, "delivery_method": method},
        context={"delivery_method": str(DeliveryMethod(method).label), "rating_url": links.rating_url(dossier)},
    )


@transaction.atomic
def dispatch_result(*, dossier, actor, tracking_number, note="", expected_version=None):
    """Send the result by post (gửi kết quả qua bưu chính); the citizen gets the tracking number."""
    tracking_number = _require(tracking_number, _("Cần nhập số hiệu bưu gửi."))
    return apply_transition(
        dossier, "dispatch", actor=actor, actor_kind=Actor.CLERK, expected_version=expected_version,
        internal_note=_clean_text(note),
        changes={"tracking_number": tracking_number, "delivery_method": DeliveryMethod.POST},
        context={"tracking_number": tracking_number},
    )


@transaction.atomic
def deliver_result(*, dossier, actor, originals_collected=False, note="", expected_version=None, at=None):
    """Record that the post delivered the result (đã giao kết quả), and whether originals were collected."""
    at = at or timezone.now()
    return apply_transition(
        dossier, "deliver", actor=actor, actor_kind=Actor.CLERK, expected_version=expected_version,
        internal_note=_originals_note(originals_collected, note), changes={"returned_at": at},
        context={"tracking_number": dossier.tracking_number, "rating_url": links.rating_url(dossier)},
    )


@transaction.atomic
def stop_dossier(*, dossier, actor, reason, expected_version=None):
    """Stop processing (dừng xử lý) for the legal reason given; this ends the dossier."""
    reason = _require(reason, _("Cần nêu căn cứ, lý do dừng xử lý."))
    return apply_transition(
        dossier, "stop", actor=actor, actor_kind=Actor.CLERK, expected_version=expected_version,
        public_note=reason, changes={"closed_reason": reason}, context={"reason": reason},
    )


@transaction.atomic
def withdraw_dossier(*, dossier, actor=None, reason="", expected_version=None):
    """Withdraw the dossier before reception (rút hồ sơ) at the citizen's request.

    Without ``actor`` the citizen did it online; with one, a clerk recorded the
    citizen's written request at the desk.
    """
    reason = _clean_text(reason)
    return apply_transition(
        dossier, "withdraw", actor=actor, actor_kind=Actor.CLERK if actor else Actor.CITIZEN,
        expected_version=expected_version, public_note=reason, changes={"closed_reason": reason},
        context={"reason": reason},
    )


@transaction.atomic
def issue_apology(*, dossier, actor, new_appointment_date, reason, expected_version=None):
    """Apologise for a late result and set a new appointment date (phiếu xin lỗi và hẹn lại ngày trả).

    The new date must be a working day after the current appointment date (and not in
    the past); it is recorded in the history and told to the citizen.
    """
    reason = _require(reason, _("Cần nêu lý do chậm trả kết quả."))
    locked = _lock(dossier)
    calendar = deadlines.WorkingCalendar()
    if new_appointment_date is None or new_appointment_date < timezone.localdate():
        raise ValidationError(_("Ngày hẹn mới phải từ hôm nay trở đi."))
    if locked.appointment_date and new_appointment_date <= locked.appointment_date:
        raise ValidationError(_("Ngày hẹn mới phải sau ngày hẹn trả hiện tại."))
    if not calendar.is_working_day(new_appointment_date):
        raise ValidationError(_("Ngày hẹn mới phải là ngày làm việc."))
    return apply_transition(
        dossier, "apologise", actor=actor, actor_kind=Actor.CLERK, expected_version=expected_version,
        public_note=reason, changes={"appointment_date": new_appointment_date},
        context={"reason": reason, **_date_context("appointment_date", new_appointment_date),
                 **_date_context("previous_appointment_date", locked.appointment_date)},
    )


@transaction.atomic
def exempt_payment(*, dossier, actor, reason, expected_version=None):
    """Exempt a level-4 dossier from paying online (miễn thanh toán); it then waits for reception."""
    reason = _require(reason, _("Cần nêu lý do miễn thanh toán."))
    return apply_transition(
        dossier, "exempt_payment", actor=actor, actor_kind=Actor.CLERK, expected_version=expected_version,
        public_note=reason, context={"reason": reason},
    )


# --- Filing online (the first arrow: registered online) ---------------------------------------------
# The parts of a submission a rule can point at; the filing wizard's steps carry the same slugs.
AGENCY, DECLARATION, DOCUMENTS = "co-quan", "to-khai", "giay-to"


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
                   submission_token=None, token_locked=False, language="vi"):
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
    already created with it instead of a second one; ``token_locked=True`` says the caller
    holds a lock that every submission with that token takes first (the wizard's draft row,
    ``filing.wizard``) and found no dossier made with it, so neither the look-up nor the
    savepoint that catches a parallel submission is needed (the unique token still forbids a
    second dossier). Raises ``FilingError`` when a rule
    forbids the submission (procedure not fileable, agency not receiving it, required
    document missing, delivery method not offered, dossier too large).
    """
    _check_rules(procedure=procedure, agency=agency, attachments=attachments, delivery_method=delivery_method,
                 delivery_address=delivery_address)
    if submission_token is not None and not token_locked:
        existing = Dossier.objects.filter(submission_token=submission_token).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic(savepoint=not token_locked):
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
        # Two requests with the same token raced: the other one created the dossier. (With
        # ``token_locked`` they cannot, and the transaction is broken: the error goes up.)
        if submission_token is not None and not token_locked:
            existing = Dossier.objects.filter(submission_token=submission_token).first()
            if existing is not None:
                return existing
        raise
    return dossier


def _check_rules(*, procedure, agency, attachments, delivery_method, delivery_address):
    if not procedure.can_file_online:
        raise FilingError(_("Thủ tục này không nộp hồ sơ trực tuyến được."))
    if not agency_receives(procedure, agency):
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


def agency_receives(procedure, agency):
    """True when ``agency`` is active and receives ``procedure`` (filing's rule, as ``filing_agencies``).

    No query when the procedure was read with its agencies (``prefetch_related("agencies")``,
    as the wizard's confirm step reads it, ``filing.catalogue``).
    """
    if agency is None or not agency.is_active:
        return False
    prefetched = getattr(procedure, "_prefetched_objects_cache", {}).get("agencies")
    if prefetched is not None:
        return any(item.pk == agency.pk for item in prefetched)
    return procedure.agencies.filter(pk=agency.pk).exists()


def allowed_delivery_methods(procedure):
    methods = [DeliveryMethod.IN_PERSON, DeliveryMethod.POST]
    if procedure.allows_electronic_result:
        methods.append(DeliveryMethod.ONLINE)
    return [(method.value, method.label) for method in methods]
