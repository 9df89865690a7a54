"""Electronic results: the result code (``<mã hồ sơ>-KQ<n>``) and, for a signed PDF, who signed it and when."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dossiers.models import DossierFile


class ElectronicResult(models.Model):
    """One result document of a dossier, numbered per dossier; signed when it is a PDF and a certificate is set."""

    result_file = models.OneToOneField(DossierFile, on_delete=models.CASCADE, related_name="electronic_result",
                                       verbose_name=_("tệp kết quả"))
    code = models.CharField(_("mã kết quả"), max_length=60, unique=True)
    signed_at = models.DateTimeField(_("thời điểm ký"), null=True, blank=True)
    signer_name = models.CharField(_("người ký"), max_length=255, blank=True)
    signer_organisation = models.CharField(_("cơ quan ký"), max_length=255, blank=True)
    certificate_serial = models.CharField(_("số hiệu chứng thư số"), max_length=80, blank=True)
    certificate_sha256 = models.CharField(_("dấu vân tay chứng thư (SHA-256)"), max_length=64, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("kết quả điện tử")
        verbose_name_plural = _("kết quả điện tử")

    def __str__(self):
        return self.code

    @property
    def is_signed(self):
        return self.signed_at is not None
