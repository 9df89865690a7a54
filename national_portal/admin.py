"""The sync log in the back office: what was sent to the national portal, what failed, and resending it."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import SyncMessage, SyncStatus
from .sending import counts_by_status
from .services import resend


@admin.register(SyncMessage)
class SyncMessageAdmin(admin.ModelAdmin):
    """Read-only log; "Đồng bộ lỗi" in the status filter lists the rows to look at; the action resends them."""

    list_display = ("dossier", "service", "status", "attempts", "created_at", "sent_at", "short_error")
    list_filter = ("status", "service", "created_at")
    search_fields = ("dossier__code",)
    list_select_related = ("dossier",)
    readonly_fields = ("dossier", "entry", "service", "status", "attempts", "transaction_id", "payload",
                       "next_attempt_at", "last_error", "created_at", "sent_at")
    actions = ["resend_failed"]
    show_full_result_count = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser or request.user.has_perm("dossiers.view_all_agencies"):
            return queryset
        return queryset.filter(dossier__agency__staff=request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("lỗi gần nhất"))
    def short_error(self, obj):
        return obj.last_error[:120]

    @admin.action(description=_("Gửi lại các bản tin đồng bộ lỗi"), permissions=["view"])
    def resend_failed(self, request, queryset):
        failed = list(queryset.filter(status=SyncStatus.FAILED))
        if not failed:
            self.message_user(request, _("Không có bản tin đồng bộ lỗi nào trong các dòng đã chọn."), messages.WARNING)
            return
        count = resend(failed)
        self.message_user(request, ngettext("Đã đưa %(count)d bản tin vào hàng đợi gửi lại.",
                                            "Đã đưa %(count)d bản tin vào hàng đợi gửi lại.", count)
                          % {"count": count}, messages.SUCCESS)

    def changelist_view(self, request, extra_context=None):
        counts = counts_by_status(self.get_queryset(request))
        labels = dict(SyncStatus.choices)
        summary = " · ".join(f"{labels[status]}: {counts[status]}" for status in SyncStatus.values)
        return super().changelist_view(request, {**(extra_context or {}), "subtitle": summary})
