"""The dossier's life: its states and the one table of allowed transitions.

Every change of a dossier's status goes through ``dossiers.services.apply_transition``,
which looks the action up here. The admin, the public views and the Celery tasks all
use the same table; nobody sets ``Dossier.status`` by hand.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierStatus(models.TextChoices):
    REGISTERED = "registered", _("Đã đăng ký trực tuyến, chờ tiếp nhận")
    AWAITING_PAYMENT = "awaiting_payment", _("Chờ thanh toán")
    RECEIVED = "received", _("Đã tiếp nhận")
    PROCESSING = "processing", _("Đang xử lý")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung")
    RESULT_READY = "result_ready", _("Đã có kết quả, chờ trả")
    DISPATCHED = "dispatched", _("Đã gửi kết quả qua bưu chính")
    RETURNED = "returned", _("Đã trả kết quả")
    REFUSED = "refused", _("Từ chối tiếp nhận, giải quyết")
    STOPPED = "stopped", _("Dừng xử lý")
    WITHDRAWN = "withdrawn", _("Công dân rút hồ sơ")


# Codes of the national status list, for a later sync with the National Public
# Service Portal (1 mới đăng ký … 10 đã trả kết quả).
NATIONAL_STATUS_CODE = {
    DossierStatus.REGISTERED: 1,
    DossierStatus.RECEIVED: 2,
    DossierStatus.REFUSED: 3,
    DossierStatus.PROCESSING: 4,
    DossierStatus.SUPPLEMENT_REQUESTED: 5,
    DossierStatus.AWAITING_PAYMENT: 6,
    DossierStatus.WITHDRAWN: 7,
    DossierStatus.STOPPED: 8,
    DossierStatus.RESULT_READY: 9,
    DossierStatus.DISPATCHED: 9,
    DossierStatus.RETURNED: 10,
}

FINAL_STATUSES = frozenset({DossierStatus.RETURNED, DossierStatus.REFUSED, DossierStatus.STOPPED,
                            DossierStatus.WITHDRAWN})
# States in which the processing-time clock runs (between reception and the result).
CLOCK_RUNNING_STATUSES = frozenset({DossierStatus.RECEIVED, DossierStatus.PROCESSING})


class Actor(models.TextChoices):
    CLERK = "clerk", _("Cán bộ")
    CITIZEN = "citizen", _("Công dân")
    SYSTEM = "system", _("Hệ thống")


class Event(models.TextChoices):
    """What the citizen hears about; each is a notification template's key."""

    REGISTERED = "registered", _("Đăng ký trực tuyến thành công")
    PAYMENT_CONFIRMED = "payment_confirmed", _("Đã thanh toán")
    PAYMENT_FAILED = "payment_failed", _("Thanh toán không thành công")
    PAYMENT_EXEMPTED = "payment_exempted", _("Được miễn thanh toán")
    RECEIVED = "received", _("Đã tiếp nhận, hẹn ngày trả")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung hồ sơ")
    SUPPLEMENT_RECEIVED = "supplement_received", _("Đã nhận hồ sơ bổ sung")
    PROCESSING = "processing", _("Đang xử lý")
    RESULT_READY = "result_ready", _("Đã có kết quả")
    REFUSED = "refused", _("Từ chối")
    RETURNED = "returned", _("Đã trả kết quả")
    DISPATCHED = "dispatched", _("Đã gửi kết quả qua bưu chính")
    DELIVERED = "delivered", _("Đã giao kết quả")
    STOPPED = "stopped", _("Dừng xử lý")
    WITHDRAWN = "withdrawn", _("Đã rút hồ sơ")
    APOLOGY = "apology", _("Xin lỗi và hẹn lại ngày trả kết quả")


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset
    # None keeps the current status (an apology changes the date, not the state).
    target: str | None
    actor: str
    event: str | None
    needs_reason: bool = False


S = DossierStatus
_TABLE = [
    Transition("confirm_payment", _("Xác nhận thanh toán"), frozenset({S.AWAITING_PAYMENT}), S.REGISTERED,
               Actor.SYSTEM, Event.PAYMENT_CONFIRMED),
    Transition("exempt_payment", _("Miễn thanh toán"), frozenset({S.AWAITING_PAYMENT}), S.REGISTERED,
               Actor.CLERK, Event.PAYMENT_EXEMPTED, needs_reason=True),
    Transition("receive", _("Tiếp nhận"), frozenset({S.REGISTERED}), S.RECEIVED, Actor.CLERK, Event.RECEIVED),
    Transition("request_supplement", _("Yêu cầu bổ sung"),
               frozenset({S.REGISTERED, S.RECEIVED, S.PROCESSING}), S.SUPPLEMENT_REQUESTED,
               Actor.CLERK, Event.SUPPLEMENT_REQUESTED, needs_reason=True),
    Transition("supplement", _("Bổ sung hồ sơ"), frozenset({S.SUPPLEMENT_REQUESTED}), S.REGISTERED,
               Actor.CITIZEN, Event.SUPPLEMENT_RECEIVED),
    Transition("refuse", _("Từ chối"), frozenset({S.REGISTERED, S.SUPPLEMENT_REQUESTED, S.PROCESSING}),
               S.REFUSED, Actor.CLERK, Event.REFUSED, needs_reason=True),
    Transition("assign", _("Chuyển xử lý"), frozenset({S.RECEIVED}), S.PROCESSING, Actor.CLERK,
               Event.PROCESSING),
    Transition("record_result", _("Có kết quả"), frozenset({S.PROCESSING}), S.RESULT_READY, Actor.CLERK,
               Event.RESULT_READY),
    Transition("return_result", _("Trả kết quả"), frozenset({S.RESULT_READY}), S.RETURNED, Actor.CLERK,
               Event.RETURNED),
    Transition("dispatch", _("Gửi kết quả qua bưu chính"), frozenset({S.RESULT_READY}), S.DISPATCHED,
               Actor.CLERK, Event.DISPATCHED),
    Transition("deliver", _("Đã giao kết quả"), frozenset({S.DISPATCHED}), S.RETURNED, Actor.CLERK,
               Event.DELIVERED),
    Transition("stop", _("Dừng xử lý"), frozenset({S.RECEIVED, S.PROCESSING}), S.STOPPED, Actor.CLERK,
               Event.STOPPED, needs_reason=True),
    Transition("withdraw", _("Rút hồ sơ"),
               frozenset({S.REGISTERED, S.AWAITING_PAYMENT, S.SUPPLEMENT_REQUESTED}), S.WITHDRAWN,
               Actor.CITIZEN, Event.WITHDRAWN),
    Transition("apologise", _("Xin lỗi, hẹn lại ngày trả"), frozenset({S.RECEIVED, S.PROCESSING}), None,
               Actor.CLERK, Event.APOLOGY, needs_reason=True),
]
del S

TRANSITIONS = {transition.action: transition for transition in _TABLE}


class TransitionNotAllowed(Exception):
    """The action is unknown, or not allowed from the dossier's current status."""


def get_transition(action: str, status: str) -> Transition:
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionNotAllowed(f"unknown action {action!r}")
    if status not in transition.sources:
        raise TransitionNotAllowed(f"{action!r} is not allowed from {status!r}")
    return transition


def allowed_actions(status: str, actor: str | None = None) -> list[Transition]:
    """The transitions possible from ``status`` (for ``actor`` when given), in table order."""
    return [t for t in _TABLE if status in t.sources and (actor is None or t.actor == actor)]
