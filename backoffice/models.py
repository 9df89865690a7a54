"""The back office's own rows: the large exports a Celery task writes for a clerk.

A list export above ``BACKOFFICE_EXPORT_INLINE_ROWS`` rows is not built in the request: the
clerk's request records what was asked (the list's query string, under the clerk's name) and
queues ``backoffice.tasks.build_export``, which rebuilds the same list (the same scoping, filters,
search) and stores the file in the private default storage. Only the clerk who asked downloads
it, through the admin (``DossierAdmin.export_file_view``), until ``expires_at``; the next task
deletes expired files.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Đang chuẩn bị")
    READY = "ready", _("Sẵn sàng")
    FAILED = "failed", _("Không tạo được")


def _export_name(export, filename):
    # A name nobody guesses; the file is only ever read through the access-checked view.
    return f"exports/{timezone.localdate():%Y/%m}/{secrets.token_hex(16)}-{filename}"


class ExportFile(models.Model):
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người yêu cầu"),
                                     on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("thời điểm yêu cầu"), default=timezone.now)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    format = models.CharField(_("định dạng"), max_length=10)
    # The dossier list's query string, as the clerk filtered it.
    filters = models.TextField(_("bộ lọc"), blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=ExportStatus.choices,
                              default=ExportStatus.PENDING)
    row_count = models.PositiveIntegerField(_("số hồ sơ"), null=True, blank=True)
    file = models.FileField(_("tệp"), upload_to=_export_name, blank=True)
    # When the clerk was told it is ready (a message on the dossier list); empty until then.
    announced_at = models.DateTimeField(_("đã báo lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("tệp xuất danh sách hồ sơ")
        verbose_name_plural = _("tệp xuất danh sách hồ sơ")
        indexes = [models.Index(fields=["requested_by", "status"], name="backoffice_export_owner"),
                   models.Index(fields=["expires_at"], name="backoffice_export_expiry")]

    def __str__(self):
        return f"{self.format} #{self.pk}"

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()
