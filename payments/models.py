"""Fee payments for dossiers: one row per attempt, online (a gateway) or in person (the one-stop shop).

A dossier may have several attempts (a failed or cancelled one is retried with a new
transaction reference), but at most one of them is ever ``paid``: a partial unique
constraint guarantees it in the database, and the services lock the dossier row so
that two confirmations arriving together are decided one after the other.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Chờ thanh toán")
    PAID = "paid", _("Đã thanh toán")
    FAILED = "failed", _("Không thành công")
    CANCELLED = "cancelled", _("Đã hủy")
    REFUNDED = "refunded", _("Đã hoàn tiền")


class PaymentProvider(models.TextChoices):
    VNPAY = "vnpay", _("Cổng thanh toán VNPay")
    IN_PERSON = "in_person", _("Nộp trực tiếp tại bộ phận một cửa")


class Payment(models.Model):
    """One attempt to pay a dossier's fee (phí, lệ phí), in đồng."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="payments",
                                verbose_name=_("hồ sơ"))
    provider = models.CharField(_("hình thức thanh toán"), max_length=16, choices=PaymentProvider.choices)
    # The merchant's transaction reference (vnp_TxnRef): what the gateway's answers refer to.
    reference = models.CharField(_("mã giao dịch"), max_length=40, unique=True)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    fee_name = models.CharField(_("trường hợp phí"), max_length=255, blank=True)
    status = models.CharField(_("trạng thái"), max_length=16, choices=PaymentStatus.choices,
                              default=PaymentStatus.PENDING)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    # Filled from the gateway's confirmation (vnp_TransactionNo, vnp_BankCode).
    provider_transaction_no = models.CharField(_("mã giao dịch tại cổng thanh toán"), max_length=64, blank=True)
    bank_code = models.CharField(_("ngân hàng"), max_length=32, blank=True)
    # The electronic receipt's number; for an in-person payment, the paper receipt's number.
    receipt_number = models.CharField(_("số biên lai"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("cán bộ thu"))
    client_ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    # Money the gateway took that the portal could not accept (the dossier was already
    # paid, exempted or withdrawn): a clerk refunds it and marks it refunded.
    needs_refund = models.BooleanField(_("cần hoàn tiền"), default=False)
    # Every answer of the provider (IPN, return) as received, appended, for audit.
    raw_responses = models.JSONField(_("dữ liệu từ cổng thanh toán"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("thanh toán")
        verbose_name_plural = _("thanh toán")
        constraints = [
            models.UniqueConstraint(fields=["dossier"], condition=models.Q(status="paid"),
                                    name="payment_one_paid_per_dossier"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=~models.Q(status="paid") | models.Q(paid_at__isnull=False),
                                   name="payment_paid_has_paid_at"),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["status", "paid_at"]),
        ]
        permissions = [
            ("record_in_person_payment", _("Ghi nhận thu phí trực tiếp")),
            ("reconcile_payments", _("Xem đối soát thanh toán")),
        ]

    def __str__(self):
        return f"{self.reference} ({self.get_status_display()})"

    @property
    def is_paid(self):
        return self.status == PaymentStatus.PAID

    def add_raw_response(self, source, data):
        """Append one provider answer to the audit list (the caller saves)."""
        self.raw_responses = [*self.raw_responses, {
            "source": source, "received_at": timezone.now().isoformat(), "data": dict(data),
        }]
