"""The back office (bộ phận một cửa) in the Django admin.

Clerks see, search, open and act on only their agencies' dossiers (``Agency.staff``;
superusers and holders of ``dossiers.view_all_agencies`` see all): every page and URL
here starts from ``get_queryset``, which is scoped by ``dossiers.roles.visible_dossiers``,
and answers 404 for anything outside it. Nobody edits a dossier by hand: the change
page is read-only, and the buttons under it are the transitions of the workflow table
allowed from the current state (``backoffice.forms``), each applied by a
service with the version the page showed.
"""

import logging
from copy import copy
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponseRedirect, QueryDict
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.services import record_dossier_access
from dossiers import deadlines, links, printing, roles
from dossiers.declaration import describe
from dossiers.models import DayOffOverride, Dossier, DossierEvent, DossierFile, SupplementRequest
from dossiers.services import DossierChanged
from dossiers.workflow import FINAL_STATUSES, DossierStatus, TransitionNotAllowed, allowed_actions
from notifications.admin import NotificationInline

from . import (
    exports,
    queue,
    rating_admin,  # noqa: F401 - registers the ratings' pages
    reads,
    slips,
    summary,
)
from .changelist import (
    MIN_NAME_LENGTH,
    CappedPaginator,
    CatalogueChoicesFilter,
    ProcedureChoicesFilter,
    search_condition,
)
from .forms import FORMS
from .models import ExportFile, ExportStatus
from .tasks import build_export
from .templatetags.backoffice import action_label

logger = logging.getLogger(__name__)

# Files a browser shows safely inline; anything else is downloaded.
INLINE_TYPES = {"application/pdf", "image/jpeg", "image/png"}


class ScopedAdminMixin:
    """Limit an admin to the objects of the user's agencies; a missing object is a 404, never a redirect."""

    # The path from the admin's model to its agency (``dossiers.roles.visible_to``).
    agency_path = "dossier__agency"

    def get_queryset(self, request):
        return roles.visible_to(super().get_queryset(request), request.user, agency_path=self.agency_path)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects to the index with a message; another agency's id must reveal nothing.
        raise Http404


# --- List filters --------------------------------------------------------------------------------


class DeadlineFilter(admin.SimpleListFilter):
    title = _("thời hạn")
    parameter_name = "han"

    def lookups(self, request, model_admin):
        return [("overdue", _("Quá hạn")), ("due_soon", _("Sắp đến hạn")), ("on_time", _("Còn hạn"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "overdue":
            return deadlines.overdue(queryset)
        if value == "due_soon":
            return deadlines.due_soon(queryset)
        if value == "on_time":
            return deadlines.on_time(queryset)
        return queryset


class DateRangeFilter(admin.FieldListFilter):
    """From/to date inputs for a date or datetime field (``<field>__range_from`` / ``__range_to``)."""

    template = "admin/dossiers/date_range_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.param_from = f"{field_path}__tu_ngay"
        self.param_to = f"{field_path}__den_ngay"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_path = field_path
        self.is_datetime = field.get_internal_type() == "DateTimeField"

    def expected_parameters(self):
        return [self.param_from, self.param_to]

    def _date(self, name):
        value = self.used_parameters.get(name)
        if isinstance(value, list):
            value = value[-1] if value else None
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None

    def queryset(self, request, queryset):
        start, end = self._date(self.param_from), self._date(self.param_to)
        if self.is_datetime:
            # Instants from the start of the first local day to the start of the day after the
            # last: an index on the column serves it (``__date`` would cast every row).
            if start:
                queryset = queryset.filter(**{f"{self.lookup_path}__gte": _day_start(start)})
            if end:
                queryset = queryset.filter(**{f"{self.lookup_path}__lt": _day_start(end + timedelta(days=1))})
            return queryset
        if start:
            queryset = queryset.filter(**{f"{self.lookup_path}__gte": start})
        if end:
            queryset = queryset.filter(**{f"{self.lookup_path}__lte": end})
        return queryset

    def choices(self, changelist):
        yield {
            "param_from": self.param_from,
            "param_to": self.param_to,
            "value_from": self._date(self.param_from),
            "value_to": self._date(self.param_to),
            # Everything else on the page (other filters, the search, the order) survives the form.
            "other_params": [(key, value) for key, values in changelist.filter_params.items()
                             if key not in (self.param_from, self.param_to) for value in values],
            "reset_url": changelist.get_query_string(remove=[self.param_from, self.param_to]),
        }


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class WorkQueueFilter(admin.SimpleListFilter):
    """The day's work (``backoffice.queue``): the list's default when nothing else is asked for.

    Opening the list bare shows every queue at once; any search, filter or ``viec=tat-ca``
    shows every dossier again, so a clerk searching for a code always finds it.
    """

    title = _("việc cần làm")
    parameter_name = "viec"

    def __init__(self, request, params, model, model_admin):
        # Only the order and the page may be set for the default to apply.
        self.is_default = not (set(request.GET) - {"o", "p"})
        self.user = request.user
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [(queue.TODAY, _("Việc trong ngày")), *[(item.slug, item.label) for item in queue.QUEUES],
                (queue.ALL, _("Tất cả hồ sơ"))]

    def value(self):
        value = super().value()
        if value is None and self.is_default:
            return queue.TODAY
        return value

    def choices(self, changelist):
        # No "Tất cả" entry of Django's: it would mean the default again; ours is in the lookups.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        return queue.filter_queue(queryset, self.value(), self.user)


# --- Dossiers -------------------------------------------------------------------------------------


def _queue_export(export):
    """Queue the task of a stored export; with the broker down, the export fails at once (the clerk is told)."""
    try:
        build_export.delay(export.pk)
    except Exception:  # noqa: BLE001 - any broker error: say so on the list rather than wait forever
        logger.warning("broker unavailable; export %s not queued", export.pk, exc_info=True)
        ExportFile.objects.filter(pk=export.pk).update(status=ExportStatus.FAILED)


def status_badge(dossier):
    label = dossier.get_status_display()
    return format_html('<span class="status-badge status-{}" title="{}">{}</span>', dossier.status, label, label)


def days_left_badge(dossier, calendar, today):
    """A coloured badge with the working days left (red: overdue, orange: due soon, green: on time)."""
    if dossier.status not in (DossierStatus.RECEIVED, DossierStatus.PROCESSING) or not dossier.appointment_date:
        return "—"
    left = calendar.days_left(dossier.appointment_date, today)
    if left < 0:
        css, text = "overdue", gettext("Quá hạn %(days)s ngày") % {"days": -left}
    elif left <= settings.DUE_SOON_WORKING_DAYS:
        css, text = "due-soon", gettext("Còn %(days)s ngày") % {"days": left} if left else gettext("Đến hạn hôm nay")
    else:
        css, text = "on-time", gettext("Còn %(days)s ngày") % {"days": left}
    return format_html('<span class="deadline-badge deadline-{}">{}</span>', css, text)


class ReadOnlyAdminMixin:
    """No add, change or delete in the admin: the rows change only through the services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Nobody creates, edits or deletes a dossier by hand: citizens file, transitions change.
@admin.register(Dossier)
class DossierAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    agency_path = "agency"
    list_display = ["code", "procedure_name", "applicant", "status_label", "received_on", "appointment_on"]
    list_display_links = ["code"]
    list_select_related = ["procedure", "agency"]
    list_filter = [
        WorkQueueFilter, "status", DeadlineFilter,
        ("agency", CatalogueChoicesFilter),
        ("procedure__sector", CatalogueChoicesFilter),
        ("procedure", ProcedureChoicesFilter),
        ("received_at", DateRangeFilter),
        ("appointment_date", DateRangeFilter),
        ("submitted_at", DateRangeFilter),
    ]
    # The search box needs a non-empty list; what a term means is ``changelist.search_condition``.
    search_fields = ["code"]
    search_help_text = _("Tìm theo mã hồ sơ (đủ mã hoặc phần đầu), họ tên người nộp (có hoặc không dấu), "
                         "số điện thoại hoặc số định danh cá nhân.")
    list_per_page = 50
    paginator = CappedPaginator
    show_full_result_count = False
    # Counting each filter's choices over a million dossiers costs seconds a page.
    show_facets = admin.ShowFacets.NEVER
    actions = None
    inlines = [NotificationInline]
    readonly_fields = ["national_status", "status_label", "days_left"]
    fieldsets = [
        (None, {"fields": ["code", "procedure", "agency", "status_label", "national_status", "submitted_at",
                           "received_at", "appointment_date", "days_left"]}),
        (_("Người nộp hồ sơ"), {"fields": ["applicant_type", "applicant_name", "applicant_birth_date",
                                             "applicant_id_number", "applicant_phone", "applicant_email",
                                             "applicant_address", "organisation_name", "organisation_tax_code"]}),
        (_("Giải quyết, trả kết quả"), {"fields": ["assigned_to", "result_note", "closed_reason", "fee_name",
                                                    "fee_amount", "delivery_method", "delivery_address",
                                                    "tracking_number"]}),
    ]
    change_form_template = "admin/dossiers/dossier/change_form.html"
    change_list_template = "admin/dossiers/dossier/change_list.html"

    def has_process_permission(self, request):
        return roles.may_apply(request.user, "receive")

    @admin.display(description=_("thủ tục"), ordering="procedure__name")
    def procedure_name(self, dossier):
        # Cut by the stylesheet to one line; the full name on hover.
        return format_html('<span class="cell-clip" title="{}">{}</span>', dossier.procedure.name,
                           dossier.procedure.name)

    @admin.display(description=_("người nộp"), ordering="applicant_name")
    def applicant(self, dossier):
        name = dossier.organisation_name or dossier.applicant_name
        return format_html('<span class="cell-clip" title="{}">{}</span>', name, name)

    @admin.display(description=_("trạng thái"), ordering="status")
    def status_label(self, dossier):
        return status_badge(dossier)

    @admin.display(description=_("tiếp nhận"), ordering="received_at")
    def received_on(self, dossier):
        return date_format(timezone.localtime(dossier.received_at), "d/m/Y") if dossier.received_at else "—"

    @admin.display(description=_("hẹn trả"), ordering="appointment_date")
    def appointment_on(self, dossier):
        return date_format(dossier.appointment_date, "d/m/Y") if dossier.appointment_date else "—"

    @admin.display(description=_("mã trạng thái quốc gia"))
    def national_status(self, dossier):
        return dossier.national_status_code

    @admin.display(description=_("còn lại (ngày làm việc)"))
    def days_left(self, dossier):
        return days_left_badge(dossier, deadlines.WorkingCalendar(), timezone.localdate())

    def get_list_display(self, request):
        # One calendar (one query) for the whole page: the query count does not grow with the rows.
        calendar = deadlines.WorkingCalendar()
        today = timezone.localdate()

        @admin.display(description=_("còn lại"), ordering="appointment_date")
        def days_left(dossier):
            return days_left_badge(dossier, calendar, today)

        return [*self.list_display, days_left]

    def get_ordering(self, request):
        # The day's work by deadline, the first due first; everything else newest first.
        if WorkQueueFilter.parameter_name in request.GET or not (set(request.GET) - {"p"}):
            if request.GET.get(WorkQueueFilter.parameter_name) != queue.ALL:
                return ["appointment_date", "submitted_at"]
        return super().get_ordering(request)

    def get_search_results(self, request, queryset, search_term):
        condition, hint = search_condition(search_term)
        if condition is None:
            return queryset, False
        if hint == "short":
            # Silent where there are no messages (the export task rebuilds the list without a session).
            messages.info(request, gettext("Nhập ít nhất %(count)s ký tự của họ tên để tìm theo tên.")
                          % {"count": MIN_NAME_LENGTH}, fail_silently=True)
        return queryset.filter(condition), False

    def changelist_view(self, request, extra_context=None):
        self._announce_exports(request)
        visible = self.get_queryset(request)
        extra_context = {
            **(extra_context or {}),
            "queue_counts": queue.counts(visible, request.user),
            "export_formats": exports.FORMATS,
            "shows_leader_view": summary.may_see(request.user),
            # The list needs the screen's width (1280 px without horizontal scrolling).
            "is_nav_sidebar_enabled": False,
        }
        return super().changelist_view(request, extra_context)

    # --- Admin URLs: every one resolves the dossier through the scoped queryset ---

    def get_urls(self):
        wrap = self.admin_site.admin_view
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("so-theo-doi/", wrap(self.tracking_log_view), name=f"{info}_tracking_log"),
            path("tinh-hinh/", wrap(self.summary_view), name=f"{info}_summary"),
            path("xuat/tep/<int:export_id>/", wrap(self.export_file_view), name=f"{info}_export_file"),
            path("xuat/<slug:fmt>/", wrap(self.export_view), name=f"{info}_export"),
            path("<path:object_id>/phieu/<slug:kind>/pdf/", wrap(self.slip_pdf_view), name=f"{info}_slip_pdf"),
            path("<path:object_id>/thao-tac/<slug:action>/", wrap(self.transition_view),
                 name=f"{info}_transition"),
            path("<path:object_id>/tep/<int:file_id>/", wrap(self.file_view), name=f"{info}_file"),
            path("<path:object_id>/phieu/<slug:kind>/", wrap(self.slip_view), name=f"{info}_slip"),
            *super().get_urls(),
        ]

    def _scoped_dossier(self, request, object_id):
        dossier = self.get_object(request, unquote(object_id))
        if dossier is None or not self.has_view_permission(request, dossier):
            raise Http404
        return dossier

    def _change_url(self, dossier):
        return reverse("admin:dossiers_dossier_change", args=[dossier.pk])

    def _transition_forms(self, request, dossier):
        return [FORMS[t.action](dossier=dossier) for t in allowed_actions(dossier.status)
                if t.action in FORMS and roles.may_apply(request.user, t.action)]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        dossier = self._scoped_dossier(request, object_id)
        record_dossier_access(request, dossier)  # the audit trail: who saw this citizen's data
        events = list(dossier.events.select_related("actor"))
        files = list(dossier.files.all())
        transition_forms = self._transition_forms(request, dossier)
        extra_context = {
            **(extra_context or {}),
            "dossier": dossier,
            "declaration_rows": describe(dossier.declaration_schema or [], dossier.declaration or {}),
            "files": files,
            "previews": [item for item in files if item.content_type in INLINE_TYPES],
            "events": events,
            "supplement_requests": list(dossier.supplement_requests.all()),
            "transition_forms": transition_forms,
            "slips": slips.available_slips(dossier, events),
            "is_final": dossier.status in FINAL_STATUSES,
            "days_left": days_left_badge(dossier, deadlines.WorkingCalendar(), timezone.localdate()),
            "neighbours": self._neighbours(request, dossier),
            "is_nav_sidebar_enabled": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _neighbours(self, request, dossier):
        """The previous and next dossier of the list the clerk came from, with that list's filters.

        The list's filters travel in ``_changelist_filters`` (Django's preserved filters);
        the list is rebuilt from them and read around the clerk's page only (one query of
        at most ``list_per_page + 2`` ids), so the links cost the same on any table.
        """
        filters = request.GET.get("_changelist_filters")
        if filters is None:
            return None
        list_request = copy(request)
        list_request.GET = QueryDict(filters)
        try:
            changelist = self.get_changelist_instance(list_request)
        except (IncorrectLookupParameters, ValidationError, ValueError):
            return None
        page = changelist.page_num - 1  # Django counts pages from 1
        start = max(page * self.list_per_page - 1, 0)
        ids = list(changelist.queryset.values_list("pk", flat=True)[start:(page + 1) * self.list_per_page + 1])
        if dossier.pk not in ids:
            return None
        position = ids.index(dossier.pk)
        first_index = start  # the absolute position of ids[0] in the list

        def link(index):
            if not 0 <= index < len(ids):
                return None
            params = QueryDict(filters, mutable=True)
            list_page = (first_index + index) // self.list_per_page
            if list_page:
                params["p"] = str(list_page + 1)
            else:
                params.pop("p", None)
            query = urlencode({"_changelist_filters": params.urlencode()})
            return f"{self._change_url_for(ids[index])}?{query}"

        return {"previous": link(position - 1), "next": link(position + 1),
                "list_url": f"{reverse('admin:dossiers_dossier_changelist')}?{filters}"}

    def _change_url_for(self, pk):
        return reverse("admin:dossiers_dossier_change", args=[pk])

    def transition_view(self, request, object_id, action):
        """GET: the action's form on its own page; POST: apply it and go back to the dossier."""
        dossier = self._scoped_dossier(request, object_id)
        form_class = FORMS.get(action)
        if form_class is None:
            raise Http404
        if not roles.may_apply(request.user, action):
            raise PermissionDenied
        if action not in {t.action for t in allowed_actions(dossier.status)}:
            messages.error(request, gettext("Thao tác này không thực hiện được ở trạng thái hiện tại của hồ sơ "
                                            "(%(status)s).") % {"status": dossier.get_status_display()})
            return HttpResponseRedirect(self._change_url(dossier))
        if request.method == "POST":
            form = form_class(request.POST, request.FILES, dossier=dossier)
            if form.is_valid():
                try:
                    form.apply(dossier=dossier, actor=request.user)
                except DossierChanged:
                    messages.error(request, gettext(
                        "Hồ sơ %(code)s vừa được cán bộ khác cập nhật nên thao tác của bạn chưa được thực hiện. "
                        "Vui lòng xem lại hồ sơ rồi thao tác lại.") % {"code": dossier.code})
                    return HttpResponseRedirect(self._change_url(dossier))
                except TransitionNotAllowed:
                    messages.error(request, gettext("Thao tác này không thực hiện được ở trạng thái hiện tại "
                                                    "của hồ sơ."))
                    return HttpResponseRedirect(self._change_url(dossier))
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    self.log_change(request, dossier, gettext("Thao tác: %(action)s") % {
                        "action": form_class.submit_label})
                    messages.success(request, gettext("Đã thực hiện “%(action)s” cho hồ sơ %(code)s.") % {
                        "action": form_class.submit_label, "code": dossier.code})
                    return HttpResponseRedirect(self._change_url(dossier))
        else:
            form = form_class(dossier=dossier)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "dossier": dossier,
            "original": dossier,
            "form": form,
            "title": f"{form_class.submit_label}: {dossier.code}",
            "change_url": self._change_url(dossier),
        }
        return TemplateResponse(request, "admin/dossiers/dossier/transition.html", context,
                                status=400 if request.method == "POST" else 200)

    def file_view(self, request, object_id, file_id):
        """An attachment or result of a visible dossier, streamed; never a public URL."""
        dossier = self._scoped_dossier(request, object_id)
        attachment = DossierFile.objects.filter(dossier=dossier, pk=file_id).first()
        if attachment is None:
            raise Http404
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        record_dossier_access(request, dossier, downloaded_file=attachment)  # the audit trail
        response = FileResponse(handle, as_attachment=attachment.content_type not in INLINE_TYPES,
                                filename=attachment.original_name, content_type=attachment.content_type)
        response["Cache-Control"] = "private, no-store"
        # Shown in the dossier page's preview frame (same origin only). A PDF needs the
        # browser's viewer, which a sandboxed document may not start; anything else is sandboxed.
        response["X-Frame-Options"] = "SAMEORIGIN"
        if attachment.content_type == "application/pdf":
            response["Content-Security-Policy"] = "frame-ancestors 'self'"
        else:
            response["Content-Security-Policy"] = "sandbox; frame-ancestors 'self'"
        return response

    def _slip_context(self, request, object_id, kind):
        """What slip ``kind`` of a visible dossier shows; 404 for an unknown slip or one its history lacks."""
        dossier = self._scoped_dossier(request, object_id)
        slip = slips.SLIPS.get(kind)
        if slip is None:
            raise Http404
        events = list(dossier.events.select_related("actor"))
        if slip not in slips.available_slips(dossier, events):
            raise Http404
        return slips.slip_context(dossier, slip, events)

    def slip_view(self, request, object_id, kind):
        context = self._slip_context(request, object_id, kind)
        reads.record_print(context["dossier"], document=context["slip"].title, fmt="html")
        return TemplateResponse(request, context["slip"].template, context)

    def slip_pdf_view(self, request, object_id, kind):
        """The slip as a one-sheet PDF (WeasyPrint, fonts embedded): the same page the browser prints."""
        context = self._slip_context(request, object_id, kind)
        slip, dossier = context["slip"], context["dossier"]
        context.update(pdf=True, qr=printing.qr_png_tag(links.status_url(dossier)))
        html = render_to_string(slip.template, context, request=request)
        response = printing.pdf_response(html, f"{slip.kind}-{dossier.code}.pdf")
        reads.record_print(dossier, document=slip.title, fmt="pdf")
        return response

    def export_view(self, request, fmt):
        """The list as the clerk filtered it (scope, filters, search), as CSV or XLSX; recorded in the audit trail.

        The CSV is always streamed. An XLSX of more than ``exports.inline_limit()`` rows is
        built by a Celery task (``backoffice.tasks.build_export``): the clerk goes back to the
        list, which says when the file is ready and links to it (``export_file_view``).
        """
        if not self.has_view_permission(request) or fmt not in exports.RESPONSES:
            raise Http404
        list_url = reverse("admin:dossiers_dossier_changelist")
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            messages.error(request, gettext("Bộ lọc không hợp lệ; hãy chọn lại bộ lọc rồi xuất tệp."))
            return HttpResponseRedirect(list_url)
        queryset = changelist.queryset
        filters = request.GET.urlencode()
        if fmt == "xlsx" and queryset.order_by()[: exports.inline_limit() + 1].count() > exports.inline_limit():
            reads.record_export(queryset, fmt=fmt, filters=filters, limit=exports.XLSX_MAX_ROWS)
            export = ExportFile.objects.create(
                requested_by=request.user, format=fmt, filters=filters,
                expires_at=timezone.now() + timedelta(hours=exports.expiry_hours()))
            transaction.on_commit(lambda: _queue_export(export))
            messages.info(request, gettext(
                "Danh sách có hơn %(count)s hồ sơ nên tệp Excel được chuẩn bị riêng. Khi tệp sẵn sàng, đường dẫn "
                "tải tệp hiện ở đầu trang này (tải lại trang sau ít phút).") % {"count": exports.inline_limit()})
            return HttpResponseRedirect(f"{list_url}?{filters}" if filters else list_url)
        reads.record_export(queryset, fmt=fmt, filters=filters,
                            limit=exports.XLSX_MAX_ROWS if fmt == "xlsx" else None)
        return exports.RESPONSES[fmt](queryset)

    def export_file_view(self, request, export_id):
        """A stored export, for the clerk who asked for it only, until it expires; 404 otherwise."""
        export = ExportFile.objects.filter(pk=export_id, requested_by=request.user,
                                           status=ExportStatus.READY).first()
        if export is None or export.is_expired or not self.has_view_permission(request):
            raise Http404
        try:
            handle = export.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        response = FileResponse(handle, as_attachment=True, content_type=exports.XLSX_TYPE,
                                filename=f"ho-so-{timezone.localtime(export.created_at):%Y%m%d-%H%M}.xlsx")
        response["Cache-Control"] = "private, no-store"
        return response

    def _announce_exports(self, request):
        """Tell the clerk, once, of their stored exports that are ready (a link) or that failed."""
        finished = list(ExportFile.objects.filter(requested_by=request.user, announced_at=None,
                                                  status__in=[ExportStatus.READY, ExportStatus.FAILED]))
        for export in finished:
            if export.status == ExportStatus.READY:
                url = reverse("admin:dossiers_dossier_export_file", args=[export.pk])
                messages.success(request, format_html(
                    '{} <a href="{}">{}</a>',
                    gettext("Tệp Excel danh sách hồ sơ (%(count)s hồ sơ) đã sẵn sàng, tải được đến %(until)s.") % {
                        "count": export.row_count,
                        "until": date_format(timezone.localtime(export.expires_at), "H:i d/m/Y")},
                    url, gettext("Tải tệp")))
            else:
                messages.error(request, gettext("Không tạo được tệp Excel danh sách hồ sơ; vui lòng thử xuất lại."))
        if finished:
            ExportFile.objects.filter(pk__in=[export.pk for export in finished]).update(announced_at=timezone.now())

    def summary_view(self, request):
        """The leader's view: this month's figures per agency (``backoffice.summary``)."""
        if not summary.may_see(request.user):
            raise PermissionDenied
        today = timezone.localdate()
        try:
            month = date.fromisoformat(request.GET.get("thang", "") + "-01")
        except ValueError:
            month = today
        return TemplateResponse(request, "admin/dossiers/dossier/summary.html", {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Tình hình giải quyết hồ sơ"),
            "month": month,
            "previous_month": (month.replace(day=1) - timedelta(days=1)).strftime("%Y-%m"),
            "next_month": (month.replace(day=28) + timedelta(days=4)).strftime("%Y-%m"),
            "is_current_month": (month.year, month.month) == (today.year, today.month),
            "rows": summary.agency_summaries(roles.visible_agencies(request.user), month, today=today),
        })

    def tracking_log_view(self, request):
        """The agency's tracking log (sổ theo dõi hồ sơ) for a period of reception dates."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()

        def _day(name, default):
            try:
                return date.fromisoformat(request.GET.get(name, ""))
            except ValueError:
                return default

        start = _day("tu_ngay", today.replace(day=1))
        end = _day("den_ngay", today)
        queryset = (self.get_queryset(request)
                    .filter(submitted_at__date__gte=start, submitted_at__date__lte=end)
                    .select_related("procedure", "agency", "assigned_to")
                    .prefetch_related(Prefetch("events", queryset=DossierEvent.objects.order_by("created_at", "id")))
                    .order_by("submitted_at", "id"))
        agency_id = request.GET.get("co_quan", "")
        if agency_id.isdigit():
            queryset = queryset.filter(agency_id=int(agency_id))
        reads.record_tracking_log(queryset, filters=request.GET.urlencode())
        rows = slips.tracking_log_rows(queryset)
        agencies = sorted({row["dossier"].agency for row in rows}, key=lambda agency: agency.name)
        lookup = slips.links.absolute(reverse("tracking:lookup"))
        return TemplateResponse(request, "backoffice/slips/tracking_log.html", {
            "rows": rows, "start": start, "end": end, "agencies": agencies,
            "form_number": slips.TRACKING_LOG_FORM_NUMBER, "authority": settings.PORTAL_AUTHORITY,
            "printed_at": timezone.localtime(), "lookup_url": lookup, "qr": slips.qr_svg(lookup),
        })


# --- History, supplement requests, calendar -----------------------------------------------------------


@admin.register(DossierEvent)
class DossierEventAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The history, append-only: listed and read, never added, changed or deleted here."""

    list_display = ["created_at", "dossier", "action_label", "from_status", "to_status", "actor",
                    "appointment_date"]
    list_select_related = ["dossier", "actor"]
    list_filter = ["action", "to_status"]
    search_fields = ["dossier__code"]
    actions = None

    @admin.display(description=_("thao tác"), ordering="action")
    def action_label(self, event):
        return action_label(event.action)


@admin.register(SupplementRequest)
class SupplementRequestAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["dossier", "created_at", "expires_at", "fulfilled_at", "requested_by"]
    list_select_related = ["dossier", "requested_by"]
    search_fields = ["dossier__code"]
    exclude = ["secret"]
    actions = None


@admin.register(DayOffOverride)
class DayOffOverrideAdmin(admin.ModelAdmin):
    """The yearly compensatory days off and working Saturdays the government announces."""

    list_display = ["date", "kind", "note"]
    list_filter = ["kind"]
    search_fields = ["note"]

