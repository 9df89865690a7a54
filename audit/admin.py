"""The audit trail in the back office: read-only, scoped, exportable as CSV."""

from django.contrib import admin
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry
from .services import csv_lines, may_read_trail, visible_entries


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_username", "ip_address", "action", "content_type", "object_repr", "summary"]
    list_filter = ["action", "at", "content_type"]
    search_fields = ["object_repr", "actor_username", "object_id", "detail"]
    date_hierarchy = "at"
    list_per_page = 100
    show_full_result_count = False
    actions = ["export_csv"]
    readonly_fields = ["at", "actor_username", "ip_address", "action", "content_type", "object_id", "object_repr",
                       "agency", "detail", "change_table"]
    fields = readonly_fields

    def get_queryset(self, request):
        return visible_entries(request.user).select_related("content_type")

    # Append-only: nobody adds, changes or deletes an entry here.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return may_read_trail(request.user)

    def has_module_permission(self, request):
        return may_read_trail(request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("thay đổi"))
    def summary(self, entry):
        if entry.detail:
            return entry.detail
        if entry.action == "update":
            return ", ".join(sorted(entry.changes))[:120]
        return ""

    @admin.display(description=_("thay đổi (cũ → mới)"))
    def change_table(self, entry):
        rows = []
        for name, value in sorted(entry.changes.items()):
            if isinstance(value, list) and len(value) == 2:
                rows.append((name, f"{value[0]!s} → {value[1]!s}"))
            else:
                rows.append((name, str(value)))
        return format_html_join("", "<div><strong>{}</strong>: {}</div>", rows) or "—"

    @admin.action(description=_("Xuất các mục đã chọn ra tệp CSV"))
    def export_csv(self, request, queryset):
        # Streamed, read in keyset chunks (audit.services.entries_in_chunks): a year of the trail
        # never sits in the worker's memory, behind PgBouncer as without it.
        response = StreamingHttpResponse(csv_lines(queryset), content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="nhat-ky-kiem-tra-{stamp}.csv"'
        return response
