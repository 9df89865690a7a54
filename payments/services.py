"""Operations on payments. Each runs in one transaction with the dossier's history and messages.

The rules between objects live here:

* a dossier is paid at most once: every confirmation locks the dossier row first, so two
  gateway answers for two attempts of one dossier are decided one after the other, and
  the partial unique constraint on ``Payment`` is the last line of defence;
* the gateway's IPN is the only thing trusted to mark an online payment paid; it is
  idempotent (a repeated or late answer changes nothing and is told "already confirmed");
* a paid or exempted dossier moves on through the workflow table
  (``confirm_payment`` / ``exempt_payment``), never by setting its status.
"""

import logging
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers import roles
from dossiers import services as dossier_services
from dossiers.links import PAYMENT, absolute, make_token, payment_url
from dossiers.models import Dossier
from dossiers.services import apply_transition, record_event
from dossiers.workflow import Actor, DossierStatus, Event

from .models import Payment, PaymentProvider, PaymentStatus
from .money import format_dong
from .providers import NotConfigured, Outcome, get_provider
from .providers.vnpay import InvalidSignature, MalformedNotification

logger = logging.getLogger(__name__)

# Statuses in which no fee is collected any more.
NO_FEE_STATUSES = frozenset({DossierStatus.WITHDRAWN, DossierStatus.REFUSED, DossierStatus.STOPPED})


class PaymentError(Exception):
    """A payment operation refused for a reason the user is told (``str(error)`` is that message)."""


class AlreadyPaid(PaymentError):
    pass


class NotAwaitingPayment(PaymentError):
    pass


# --- IPN answers (the protocol's response codes) -------------------------------------------------
@dataclass(frozen=True)
class IpnAnswer:
    code: str
    message: str

    def as_json(self):
        return {"RspCode": self.code, "Message": self.message}


CONFIRMED = IpnAnswer("00", "Confirm Success")
ORDER_NOT_FOUND = IpnAnswer("01", "Order not found")
ALREADY_CONFIRMED = IpnAnswer("02", "Order already confirmed")
INVALID_AMOUNT = IpnAnswer("04", "Invalid amount")
INVALID_SIGNATURE = IpnAnswer("97", "Invalid signature")
UNKNOWN_ERROR = IpnAnswer("99", "Unknown error")


# --- helpers -----------------------------------------------------------------------------------------
def new_reference():
    """A transaction reference: the day and 10 random hex digits (unique, unguessable, VNPay-safe)."""
    return f"{timezone.localtime():%y%m%d}{secrets.token_hex(5).upper()}"


def receipt_url(dossier):
    """The citizen's address of the dossier's electronic receipt (biên lai), absolute."""
    return absolute(reverse("payments:receipt", args=[make_token(PAYMENT, dossier.pk)]))


def can_handle(user, dossier):
    """True if ``user`` works for the dossier's agency (or sees every agency), as in the dossier admin."""
    if not user.is_active:
        return False
    return roles.sees_all_agencies(user) or dossier.agency.staff.filter(pk=user.pk).exists()


def _check_clerk(user, dossier):
    if user is None or not can_handle(user, dossier):
        raise PermissionDenied("not a clerk of this dossier's agency")


def _lock(dossier):
    return Dossier.objects.select_for_update().get(pk=dossier.pk)


def paid_payment(dossier):
    """The dossier's paid payment, or None."""
    return dossier.payments.filter(status=PaymentStatus.PAID).first()


def _payment_context(dossier, payment):
    return {
        "amount": payment.amount, "amount_text": format_dong(payment.amount), "reference": payment.reference,
        "payment_url": payment_url(dossier), "receipt_url": receipt_url(dossier),
    }


# --- online payment ---------------------------------------------------------------------------------
@transaction.atomic
def start_online_payment(dossier, *, return_url, client_ip=None, provider_name=PaymentProvider.VNPAY):
    """Create a pending attempt for the dossier's fee and return ``(payment, gateway_url)``.

    Refuses (``AlreadyPaid``, ``NotAwaitingPayment``) when the dossier is paid or not
    waiting for payment; raises ``NotConfigured`` when no gateway can be used. Earlier
    pending attempts stay open: the gateway may still confirm one, and the first
    confirmation wins.
    """
    provider = get_provider(provider_name)
    locked = _lock(dossier)
    if paid_payment(locked) is not None:
        raise AlreadyPaid(_("Hồ sơ này đã được thanh toán; không cần thanh toán lại."))
    if locked.status != DossierStatus.AWAITING_PAYMENT or locked.fee_amount <= 0:
        raise NotAwaitingPayment(_("Hồ sơ này hiện không ở trạng thái chờ thanh toán."))
    payment = Payment.objects.create(
        dossier=locked, provider=provider_name, reference=new_reference(), amount=locked.fee_amount,
        fee_name=locked.fee_name, client_ip=client_ip,
    )
    url = provider.checkout_url(payment, return_url=return_url, client_ip=client_ip,
                                order_info=f"Thanh toan phi ho so {locked.code}")
    return payment, url


def handle_gateway_notification(params, *, provider_name=PaymentProvider.VNPAY):
    """Process the gateway's server-to-server notification (IPN); return the ``IpnAnswer``.

    Checks, in the protocol's order, the signature (97), the transaction reference (01),
    the amount (04) and the payment's state (02 when already decided). A success marks
    the payment paid and moves the dossier through ``confirm_payment`` (history and the
    PAYMENT_CONFIRMED messages in the same transaction); a failure or cancellation is
    recorded, with a history entry and the PAYMENT_FAILED messages. Idempotent: a
    repeated or late notification changes nothing and is answered 02.
    """
    try:
        provider = get_provider(provider_name)
        notification = provider.parse_notification(params)
    except InvalidSignature:
        logger.warning("payment notification with an invalid signature: %s", dict(params))
        return INVALID_SIGNATURE
    except (MalformedNotification, NotConfigured):
        logger.exception("payment notification not understood")
        return UNKNOWN_ERROR
    payment = Payment.objects.filter(reference=notification.reference, provider=provider_name).first()
    if payment is None:
        return ORDER_NOT_FOUND
    if notification.amount != payment.amount:
        logger.warning("payment %s: notified amount %s, expected %s", payment.reference,
                       notification.amount, payment.amount)
        return INVALID_AMOUNT
    try:
        return _apply_notification(payment.pk, notification)
    except IntegrityError:
        # Only reachable if the row locks were bypassed: the partial unique constraint
        # kept a second payment of the dossier from being marked paid.
        logger.exception("payment %s: a second paid payment was refused by the database", payment.reference)
        return ALREADY_CONFIRMED


@transaction.atomic
def _apply_notification(payment_id, notification):
    dossier_id = Payment.objects.values_list("dossier_id", flat=True).get(pk=payment_id)
    # The dossier first, always: every confirmation of one dossier queues here.
    dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
    payment = Payment.objects.select_for_update().get(pk=payment_id)

    if payment.status != PaymentStatus.PENDING:
        if notification.outcome is Outcome.PAID and payment.status != PaymentStatus.PAID \
                and not payment.needs_refund:
            # The gateway took money for an attempt already closed: a clerk must refund it.
            _refund_due(dossier, payment, notification, _("Giao dịch đã đóng trước khi cổng thanh toán báo thành công."))
        return ALREADY_CONFIRMED

    if notification.outcome is Outcome.PAID:
        if paid_payment(dossier) is not None or dossier.status != DossierStatus.AWAITING_PAYMENT:
            payment.status = PaymentStatus.CANCELLED
            _refund_due(dossier, payment, notification,
                        _("Hồ sơ đã được thanh toán, miễn phí hoặc không còn chờ thanh toán."))
            return ALREADY_CONFIRMED
        payment.status = PaymentStatus.PAID
        payment.paid_at = timezone.now()
        payment.provider_transaction_no = notification.transaction_no
        payment.bank_code = notification.bank_code
        payment.receipt_number = payment.reference
        payment.add_raw_response("ipn", notification.raw)
        payment.save()
        apply_transition(
            dossier, "confirm_payment", actor_kind=Actor.SYSTEM,
            public_note=_("Đã thanh toán trực tuyến %(amount)s đồng, mã giao dịch %(reference)s.") % {
                "amount": format_dong(payment.amount), "reference": payment.reference},
            context=_payment_context(dossier, payment),
        )
        return CONFIRMED

    payment.status = PaymentStatus.CANCELLED if notification.outcome is Outcome.CANCELLED else PaymentStatus.FAILED
    payment.add_raw_response("ipn", notification.raw)
    payment.save()
    still_due = dossier.status == DossierStatus.AWAITING_PAYMENT
    record_event(
        dossier, action="payment_failed", from_status=dossier.status, actor_kind=Actor.SYSTEM,
        event=Event.PAYMENT_FAILED if still_due else None,
        public_note=(_("Thanh toán trực tuyến không thành công (đã hủy giao dịch). Vui lòng thanh toán lại.")
                     if notification.outcome is Outcome.CANCELLED else
                     _("Thanh toán trực tuyến không thành công (mã lỗi %(code)s). Vui lòng thanh toán lại.")
                     % {"code": notification.response_code or "?"}),
        internal_note=f"{payment.reference}: vnp_ResponseCode={notification.response_code}",
        # The messages' {{ note }}: the short reason, not the whole history sentence.
        context={**_payment_context(dossier, payment),
                 "note": (_("đã hủy giao dịch") if notification.outcome is Outcome.CANCELLED
                          else _("mã lỗi %(code)s") % {"code": notification.response_code or "?"})},
    )
    return CONFIRMED


def _refund_due(dossier, payment, notification, reason):
    payment.needs_refund = True
    payment.note = "\n".join(filter(None, [payment.note, reason]))
    payment.add_raw_response("ipn", notification.raw)
    payment.save()
    record_event(dossier, action="payment_refund_due", from_status=dossier.status, actor_kind=Actor.SYSTEM,
                 internal_note=_("Giao dịch %(reference)s (%(amount)s đồng) cần hoàn tiền: %(reason)s") % {
                     "reference": payment.reference, "amount": format_dong(payment.amount), "reason": reason})
    logger.warning("payment %s needs a refund: %s", payment.reference, reason)


def read_return(params, *, provider_name=PaymentProvider.VNPAY):
    """The payment a signed return redirect is about, or None if the signature or reference is wrong.

    The return tells nothing the portal acts on (only the IPN is trusted); it is kept with
    the payment's raw answers for audit.
    """
    try:
        notification = get_provider(provider_name).parse_notification(params)
    except (InvalidSignature, MalformedNotification, NotConfigured):
        return None
    with transaction.atomic():
        payment = (Payment.objects.select_for_update().select_related("dossier", "dossier__procedure")
                   .filter(reference=notification.reference, provider=provider_name).first())
        already_kept = payment is not None and any(
            entry.get("source") == "return" and entry.get("data") == notification.raw
            for entry in payment.raw_responses)
        if payment is not None and not already_kept:
            payment.add_raw_response("return", notification.raw)
            payment.save(update_fields=["raw_responses", "updated_at"])
    return payment


# --- the back office -----------------------------------------------------------------------------------
@transaction.atomic
def exempt(dossier, *, actor, reason, expected_version=None):
    """Record that the dossier's fee is waived (miễn thanh toán), with the reason; reception is then open.

    Only a clerk of the dossier's agency; only while it awaits payment and is not paid.
    Pending online attempts are cancelled (a late success is then flagged for refund).
    """
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError(_("Vui lòng ghi rõ lý do miễn thanh toán."))
    locked = _lock(dossier)
    _check_clerk(actor, locked)
    if paid_payment(locked) is not None:
        raise AlreadyPaid(_("Hồ sơ này đã được thanh toán; không thể miễn thanh toán."))
    locked.payments.filter(status=PaymentStatus.PENDING).update(status=PaymentStatus.CANCELLED,
                                                                 updated_at=timezone.now())
    return dossier_services.exempt_payment(dossier=dossier, actor=actor, reason=reason,
                                           expected_version=expected_version)


@transaction.atomic
def record_in_person_payment(dossier, *, actor, receipt_number, amount=None, note=""):
    """Record a fee paid at the one-stop shop (level 3, or a level 4 citizen who came in) with its receipt number.

    Only a clerk of the dossier's agency. Refused when the dossier is already paid, when
    the receipt number was already used at this agency, or when no fee is collected any
    more. A dossier awaiting payment moves on through ``confirm_payment``; otherwise the
    payment is written to the history. The citizen is told either way (PAYMENT_CONFIRMED).
    """
    receipt_number = (receipt_number or "").strip()
    if not receipt_number:
        raise PaymentError(_("Vui lòng nhập số biên lai."))
    locked = _lock(dossier)
    _check_clerk(actor, locked)
    amount = locked.fee_amount if amount is None else int(amount)
    if amount <= 0:
        raise PaymentError(_("Số tiền phải lớn hơn 0."))
    if locked.status in NO_FEE_STATUSES:
        raise NotAwaitingPayment(_("Hồ sơ đã kết thúc (rút, từ chối hoặc dừng xử lý); không thu phí."))
    if paid_payment(locked) is not None:
        raise AlreadyPaid(_("Hồ sơ này đã được thanh toán; không ghi nhận thêm."))
    if Payment.objects.filter(dossier__agency_id=locked.agency_id, provider=PaymentProvider.IN_PERSON,
                              receipt_number=receipt_number).exists():
        raise PaymentError(_("Số biên lai %(number)s đã được dùng cho một khoản thu khác.") % {
            "number": receipt_number})
    payment = Payment.objects.create(
        dossier=locked, provider=PaymentProvider.IN_PERSON, reference=new_reference(), amount=amount,
        fee_name=locked.fee_name, status=PaymentStatus.PAID, paid_at=timezone.now(),
        receipt_number=receipt_number, recorded_by=actor, note=note,
    )
    public_note = _("Đã nộp %(amount)s đồng tại bộ phận một cửa, biên lai số %(number)s.") % {
        "amount": format_dong(amount), "number": receipt_number}
    context = _payment_context(locked, payment)
    if locked.status == DossierStatus.AWAITING_PAYMENT:
        apply_transition(dossier, "confirm_payment", actor=actor, actor_kind=Actor.CLERK,
                         public_note=public_note, context=context)
    else:
        record_event(locked, action="record_payment", from_status=locked.status, actor=actor,
                     actor_kind=Actor.CLERK, event=Event.PAYMENT_CONFIRMED, public_note=public_note,
                     context=context)
    return payment


@transaction.atomic
def mark_refunded(payment, *, actor, note=""):
    """Record that the money of ``payment`` went back to the payer (paid, or flagged for refund)."""
    locked_dossier = _lock(payment.dossier)
    _check_clerk(actor, locked_dossier)
    locked = Payment.objects.select_for_update().get(pk=payment.pk)
    if locked.status != PaymentStatus.PAID and not locked.needs_refund:
        raise PaymentError(_("Chỉ hoàn tiền cho khoản đã thanh toán hoặc đang chờ hoàn tiền."))
    if locked.status == PaymentStatus.REFUNDED:
        raise PaymentError(_("Khoản này đã được hoàn tiền."))
    locked.status = PaymentStatus.REFUNDED
    locked.needs_refund = False
    locked.note = "\n".join(filter(None, [locked.note, note.strip()]))
    locked.save()
    record_event(locked_dossier, action="payment_refunded", from_status=locked_dossier.status, actor=actor,
                 actor_kind=Actor.CLERK,
                 internal_note=_("Đã hoàn %(amount)s đồng của giao dịch %(reference)s. %(note)s") % {
                     "amount": format_dong(locked.amount), "reference": locked.reference, "note": note})
    return locked


@transaction.atomic
def cancel_pending(payment, *, actor):
    """Close an abandoned online attempt after checking with the gateway (a late success is flagged for refund)."""
    locked_dossier = _lock(payment.dossier)
    _check_clerk(actor, locked_dossier)
    updated = Payment.objects.filter(pk=payment.pk, status=PaymentStatus.PENDING).update(
        status=PaymentStatus.CANCELLED, updated_at=timezone.now())
    return bool(updated)
