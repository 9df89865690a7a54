"""The outbox of the sync with the National Public Service Portal (Cổng Dịch vụ công quốc gia).

One row per history entry to report, written in the transaction of the change, so a
rolled-back change reports nothing and a broker outage loses nothing. Rows of one dossier
are sent strictly in ``id`` order; a row that failed for good stops (and fails) the rows
after it until an operator resends them, so the national portal never sees a step before
the one it follows.
"""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.models import Dossier, DossierEvent


class SyncService(models.TextChoices):
    DOSSIER = "DongBoHoSoMC", _("Đồng bộ hồ sơ (DongBoHoSoMC)")
    PROGRESS = "CapNhatTienDoHoSoMC", _("Cập nhật tiến độ (CapNhatTienDoHoSoMC)")


class SyncStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã đồng bộ")
    FAILED = "failed", _("Đồng bộ lỗi")


FINAL_SYNC_STATUSES = (SyncStatus.SENT, SyncStatus.FAILED)


class SyncMessage(models.Model):
    """One call to the national portal for one history entry; its payload is fixed when written."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="+", verbose_name=_("hồ sơ"))
    # At most one message per history entry: an event is never reported twice.
    entry = models.OneToOneField(DossierEvent, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("bước xử lý"))
    service = models.CharField(_("dịch vụ"), max_length=32, choices=SyncService.choices)
    payload = models.JSONField(_("dữ liệu gửi"))
    # Sent with every attempt of this message (IdGiaoDich): a receiver that sees it twice
    # (an attempt whose answer was lost) applies it once.
    transaction_id = models.UUIDField(_("mã giao dịch"), default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(_("trạng thái"), max_length=16, choices=SyncStatus.choices,
                              default=SyncStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    next_attempt_at = models.DateTimeField(_("gửi lần tới"), default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    created_at = models.DateTimeField(_("thời điểm ghi"), default=timezone.now)
    sent_at = models.DateTimeField(_("thời điểm đồng bộ"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("đồng bộ Cổng DVC quốc gia")
        verbose_name_plural = _("đồng bộ Cổng DVC quốc gia")
        indexes = [
            models.Index(fields=["dossier", "id"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self):
        return f"{self.service} {self.dossier_id} #{self.pk}"
