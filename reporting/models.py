"""The fact table of the public statistics: one row per agency per month (Decision 766/QĐ-TTg figures).

Filled by ``reporting.services.refresh_statistics`` from the dossiers' dates and statuses
only (never from personal data), so the figures survive the anonymisation of old dossiers,
and the page reads at most a few hundred small rows whatever the number of dossiers.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procedures.models import Agency


class AgencyMonthStatistics(models.Model):
    """What one agency received, resolved and still had in hand in one calendar month (Vietnam time).

    Flows (received, resolved, withdrawn, refused, ratings) count what happened in the month;
    stocks (carried over, in progress) are snapshots at its start and at its end (or now, for
    the current month).
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+", verbose_name=_("cơ quan"))
    year = models.PositiveSmallIntegerField(_("năm"))
    month = models.PositiveSmallIntegerField(_("tháng"))

    carried_over = models.PositiveIntegerField(_("kỳ trước chuyển sang"), default=0)
    received_online = models.PositiveIntegerField(_("tiếp nhận trực tuyến"), default=0)
    received_in_person = models.PositiveIntegerField(_("tiếp nhận trực tiếp"), default=0)
    received_by_post = models.PositiveIntegerField(_("tiếp nhận qua bưu chính"), default=0)
    resolved_early = models.PositiveIntegerField(_("giải quyết trước hạn"), default=0)
    resolved_on_time = models.PositiveIntegerField(_("giải quyết đúng hạn"), default=0)
    resolved_late = models.PositiveIntegerField(_("giải quyết quá hạn"), default=0)
    in_progress_on_time = models.PositiveIntegerField(_("đang giải quyết trong hạn"), default=0)
    in_progress_overdue = models.PositiveIntegerField(_("đang giải quyết quá hạn"), default=0)
    withdrawn = models.PositiveIntegerField(_("rút hồ sơ"), default=0)
    refused = models.PositiveIntegerField(_("từ chối"), default=0)
    rated_satisfied = models.PositiveIntegerField(_("đánh giá hài lòng"), default=0)
    rated_acceptable = models.PositiveIntegerField(_("đánh giá chấp nhận được"), default=0)
    rated_not_satisfied = models.PositiveIntegerField(_("đánh giá không hài lòng"), default=0)
    computed_at = models.DateTimeField(_("thời điểm tính"), default=timezone.now)

    class Meta:
        ordering = ["year", "month", "agency_id"]
        verbose_name = _("số liệu thống kê tháng")
        verbose_name_plural = _("số liệu thống kê tháng")
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "month"], name="agency_month_statistics_unique"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12),
                                   name="agency_month_statistics_month_1_to_12"),
        ]
        indexes = [models.Index(fields=["year", "month"])]

    def __str__(self):
        return f"{self.agency_id} {self.month:02d}/{self.year}"
