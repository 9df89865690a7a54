"""The public statistics page (``/thong-ke/``) and its CSV download. Thin: filters, one selector, render.

Both are public pages the page cache keeps (``procedures.pagecache``): they show only the fact
table and the catalogue's names, so they are rendered under the catalogue's version and the
fact table's, which each refresh renews (``reporting.services.refresh_month``).
"""

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from procedures.pagecache import VERSION_KEY, cache_public_page

from . import charts, tables
from .forms import StatisticsFilterForm
from .selectors import available_years, statistics
from .services import STATISTICS_VERSION

statistics_page_cache = cache_public_page(versions=(VERSION_KEY, STATISTICS_VERSION))


def _read(request):
    form = StatisticsFilterForm(request.GET or None, years=available_years())
    filters = form.filters()
    return form, filters, statistics(**filters)


@statistics_page_cache
@require_GET
def statistics_page(request):
    """Decision 766 figures per agency and tier, for a year or a month; both on-time rates explained."""
    form, filters, stats = _read(request)
    scope_rows = stats.agencies if len(stats.agencies) <= 30 else stats.tiers
    context = {
        "form": form,
        "stats": stats,
        "ignored_filters": form.is_bound and bool(form.errors),
        "querystring": request.GET.urlencode(),
        "monthly_chart": charts.monthly_chart(
            stats.months, chart_id="bieu-do-thang",
            title=_("Hồ sơ tiếp nhận và giải quyết theo tháng, năm %(year)d") % {"year": stats.year},
            description=_("Mỗi tháng hai cột: số hồ sơ tiếp nhận; số hồ sơ đã giải quyết, phần dưới là trước hạn "
                          "và đúng hạn, phần trên là quá hạn. Số liệu chi tiết ở bảng bên cạnh."),
            labels=(_("Tiếp nhận"), _("Giải quyết trước và đúng hạn"), _("Giải quyết quá hạn"))),
        "rate_chart": charts.rate_chart(
            [(row.name, row.figures.on_time_rate_of_due) for row in scope_rows], chart_id="bieu-do-dung-han",
            title=_("Tỷ lệ giải quyết đúng hạn (trên tổng số hồ sơ đến hạn)"),
            description=_("Một thanh cho mỗi cơ quan hoặc cấp, dài theo tỷ lệ phần trăm; số liệu ở bảng bên dưới.")),
        "agency_rows": tables.figures_rows((row.name, row.figures) for row in stats.agencies),
        "total_rows": tables.figures_rows(
            [(_("Tổng %(tier)s") % {"tier": tier.name}, tier.figures) for tier in stats.tiers]
            + [(_("Tổng cộng"), stats.total)]),
        "crumbs": [(None, _("Thống kê"))],
    }
    response = render(request, "reporting/statistics.html", context)
    if context["ignored_filters"]:
        # The notice about the dropped filters is a form error: never kept in a cache.
        patch_cache_control(response, private=True)
    return response


CSV_COLUMNS = [
    ("carried_over", gettext_lazy("Kỳ trước chuyển sang")), ("received_online", gettext_lazy("Tiếp nhận trực tuyến")),
    ("received_in_person", gettext_lazy("Tiếp nhận trực tiếp")), ("received_by_post", gettext_lazy("Tiếp nhận qua bưu chính")),
    ("received", gettext_lazy("Tổng tiếp nhận")), ("resolved_early", gettext_lazy("Giải quyết trước hạn")),
    ("resolved_on_time", gettext_lazy("Giải quyết đúng hạn")), ("resolved_late", gettext_lazy("Giải quyết quá hạn")),
    ("in_progress_on_time", gettext_lazy("Đang giải quyết trong hạn")), ("in_progress_overdue", gettext_lazy("Đang giải quyết quá hạn")),
    ("withdrawn", gettext_lazy("Rút hồ sơ")), ("refused", gettext_lazy("Từ chối")),
    ("on_time_rate_of_due", gettext_lazy("Tỷ lệ đúng hạn trên hồ sơ đến hạn (%)")),
    ("on_time_rate_of_resolved", gettext_lazy("Tỷ lệ đúng hạn trên hồ sơ đã giải quyết (%)")),
    ("satisfaction", gettext_lazy("Mức độ hài lòng trung bình (0-100)")), ("ratings", gettext_lazy("Số lượt đánh giá")),
    ("online_share", gettext_lazy("Tỷ lệ hồ sơ trực tuyến (%)")),
]


@statistics_page_cache
@require_GET
def statistics_csv(request):
    """The same figures as the page, one line per agency, then per tier and the total; UTF-8 for spreadsheets."""
    _form, _filters, stats = _read(request)
    period = f"{stats.month:02d}-{stats.year}" if stats.month else str(stats.year)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="thong-ke-{period}.csv"'
    response.write("\ufeff")  # the byte-order mark: spreadsheet programs then read Vietnamese correctly
    writer = csv.writer(response)
    writer.writerow([_("Kỳ"), _("Cấp"), _("Cơ quan"), *[str(label) for _name, label in CSV_COLUMNS]])

    def values(figures):
        return ["" if (value := getattr(figures, name)) is None else value for name, _label in CSV_COLUMNS]

    tier_names = {tier.tier_id: tier.name for tier in stats.tiers}
    for row in stats.agencies:
        writer.writerow([period, tier_names[row.tier_id], row.name, *values(row.figures)])
    for tier in stats.tiers:
        writer.writerow([period, tier.name, _("Tổng cấp"), *values(tier.figures)])
    writer.writerow([period, _("Tất cả"), _("Tổng cộng"), *values(stats.total)])
    return response
