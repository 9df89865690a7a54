"""Operations that change a dossier. Each runs in one transaction with its history and messages."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.services import queue_dossier_notifications

from . import deadlines, links
from .models import DeliveryMethod, Dossier, DossierEvent, DossierFile, DossierFileKind, SupplementRequest
from .workflow import Actor, get_transition


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
    if event:
        queue_dossier_notifications(dossier, event, context={"note": public_note, **(context or {})})
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
    from .uploads import validate_upload

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
        DossierFile.objects.create(
            dossier=locked, kind=DossierFileKind.RESULT, component_name=str(_("Kết quả giải quyết")),
            file=checked.file, original_name=checked.name, content_type=checked.content_type,
            size=checked.size, uploaded_at=at,
        )
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
