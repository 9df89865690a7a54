"""What the retention of personal data remembers: which dossiers were anonymised, and when."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.models import Dossier


class Anonymisation(models.Model):
    """A dossier whose personal data was removed after the retention period; at most one per dossier."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="anonymisation",
                                   verbose_name=_("hồ sơ"))
    anonymised_at = models.DateTimeField(_("thời điểm ẩn danh"), default=timezone.now)
    final_status_at = models.DateTimeField(_("thời điểm kết thúc hồ sơ"))
    files_deleted = models.PositiveIntegerField(_("số tệp đã xóa"), default=0)

    class Meta:
        ordering = ["-anonymised_at"]
        verbose_name = _("hồ sơ đã ẩn danh")
        verbose_name_plural = _("hồ sơ đã ẩn danh")

    def __str__(self):
        return f"{self.dossier_id} {self.anonymised_at:%Y-%m-%d}"
