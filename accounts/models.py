from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.models import Dossier


class FiledByAccount(models.Model):
    """Which VNeID account filed a dossier (its stable subject, TechID), so "Hồ sơ của tôi" finds it.

    Kept beside the dossier rather than in it: anonymous filing has no row, and the core
    needs to know nothing about sign-in.
    """

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="filed_by_account",
                                   verbose_name=_("hồ sơ"))
    subject = models.CharField(_("mã tài khoản định danh (TechID)"), max_length=255, db_index=True)
    account_type = models.CharField(_("loại tài khoản"), max_length=8, blank=True)
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now)

    class Meta:
        verbose_name = _("hồ sơ nộp bằng tài khoản VNeID")
        verbose_name_plural = _("hồ sơ nộp bằng tài khoản VNeID")

    def __str__(self):
        return f"{self.dossier_id} ← {self.subject}"
