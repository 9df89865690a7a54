"""Back office for the outbox: the message log, templates with a preview, a resend action, a dashboard.

``NotificationInline`` is the message log of one dossier; the dossier admin adds it to
its ``inlines``.
"""

from datetime import timedelta

from csp.decorators import csp
from django.contrib import admin, messages
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.template.defaultfilters import linebreaksbr
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin

from dossiers import roles
from dossiers.models import Dossier, FilingDraft
from dossiers.workflow import DossierStatus
from procedures.models import Agency, Procedure

from . import services
from .defaults import default_template
from .models import EVENT_CHOICES, RESUME_LINK, Channel, MessageTemplate, Notification, NotificationStatus
from .rendering import DRAFT_VARIABLES, VARIABLES, render_draft_message, render_message, render_row
from .text_engine import TemplateSyntaxProblem

LOG_FIELDS = ("created_at", "event", "channel", "recipient", "status", "attempts", "segments", "provider_id",
              "sent_at", "delivered_at", "last_error")


class NotificationInline(admin.TabularInline):
    """The messages of one dossier, read-only, for the dossier's change page."""

    model = Notification
    fields = LOG_FIELDS
    readonly_fields = LOG_FIELDS
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ("-created_at", "-id")
    verbose_name_plural = _("Tin nhắn, thư đã gửi cho công dân")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "dossier", "event", "channel", "recipient", "status", "attempts",
                    "segments", "provider_id", "sent_at", "short_error")
    list_filter = ("status", "channel", "event", "language", "created_at")
    search_fields = ("dossier__code", "recipient", "provider_id")
    list_select_related = ("dossier",)
    date_hierarchy = "created_at"
    actions = ["resend_failed"]
    fields = ("dossier", "draft", "event", "channel", "language", "recipient", "status", "attempts", "segments",
              "provider_id", "message_subject", "message_body", "created_at", "next_attempt_at", "sent_at",
              "delivered_at", "updated_at", "last_error")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # A clerk sees the messages of their own agencies' dossiers only, like the dossiers themselves.
        queryset = super().get_queryset(request)
        if roles.sees_all_agencies(request.user):
            return queryset
        return queryset.filter(dossier__in=roles.visible_dossiers(Dossier.objects.all(), request.user).values("pk"))

    @admin.display(description=_("lỗi gần nhất"))
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.display(description=_("tiêu đề"))
    def message_subject(self, obj):
        return obj.subject if obj.body else self._to_be_sent(obj).subject

    @admin.display(description=_("nội dung"))
    def message_body(self, obj):
        """The text stored when the worker rendered it; before that, the text the row will carry.

        A row is written without its text (``notifications.services``: the event's request does not
        render) and the worker stores the words it sends. Until then the operator sees them rendered
        now from the row's variables, said to be a preview.
        """
        if obj.body:
            return linebreaksbr(obj.body)
        return format_html("{}<p class=\"help\">{}</p>", linebreaksbr(self._to_be_sent(obj).body),
                           _("Chưa gửi: nội dung trên được dựng từ thông tin lúc sự kiện xảy ra; khi gửi, "
                             "nội dung thực gửi được lưu lại."))

    def _to_be_sent(self, obj):
        cached = getattr(obj, "_preview", None)
        if cached is None:
            cached = obj._preview = render_row(obj)
        return cached

    @admin.action(description=_("Gửi lại các tin gửi lỗi, không đến được người nhận hoặc lỗi kỹ thuật"),
                  permissions=["change"])
    def resend_failed(self, request, queryset):
        count = services.resend(queryset)
        skipped = queryset.count() - count
        self.message_user(request, ngettext("Đã đưa %(count)d tin vào hàng đợi gửi lại.",
                                            "Đã đưa %(count)d tin vào hàng đợi gửi lại.", count) % {"count": count},
                          messages.SUCCESS)
        if skipped:
            self.message_user(request, _("%(count)d tin không ở trạng thái lỗi nên không gửi lại.")
                              % {"count": skipped}, messages.WARNING)

    def changelist_view(self, request, extra_context=None):
        # The counts cover what the list shows this user: a clerk's agencies, or everything.
        visible = self.get_queryset(request)
        since = timezone.now() - timedelta(days=1)
        counts = dict(visible.filter(created_at__gte=since).values_list("status")
                      .annotate(n=Count("id")).values_list("status", "n"))
        by_channel = dict(visible.filter(created_at__gte=since).values_list("channel")
                          .annotate(n=Count("id")).values_list("channel", "n"))
        extra_context = {
            **(extra_context or {}),
            "dashboard": [(label, counts.get(value, 0), value) for value, label in NotificationStatus.choices],
            "dashboard_channels": [(label, by_channel.get(value, 0)) for value, label in Channel.choices],
            "dashboard_total": sum(counts.values()),
            # Given up on, whatever their age: each waits for an operator's resend.
            "dashboard_technical_failures": visible.filter(status=NotificationStatus.TECHNICAL_FAILURE).count(),
        }
        return super().changelist_view(request, extra_context=extra_context)


def sample_dossier():
    """A dossier to preview templates with: the latest real one, else an unsaved example."""
    dossier = Dossier.objects.select_related("procedure", "agency").order_by("-submitted_at").first()
    if dossier is not None:
        return dossier
    return Dossier(
        code="000.00.12.H26-250701-0001", status=DossierStatus.RECEIVED, applicant_name="Nguyễn Văn An",
        appointment_date=timezone.localdate() + timedelta(days=5), tracking_number="EV123456789VN",
        procedure=Procedure(name="Đăng ký khai sinh"), agency=Agency(name="UBND phường Hàng Bông"),
    )


SAMPLE_CONTEXT = {
    "note": "Bản sao giấy chứng sinh chưa rõ nét.",
    "reason": "Bản sao giấy chứng sinh chưa rõ nét.",
    "missing_items": ["Giấy chứng sinh (bản chụp rõ nét)", "Văn bản ủy quyền"],
    "supplement_url": "https://dichvucong.example.gov.vn/bo-sung/mau/",
    "tracking_number": "EV123456789VN",
}


SAMPLE_DRAFT_CONTEXT = {
    "resume_url": "https://dichvucong.example.gov.vn/tiep-tuc-khai/mau/",
    "expires_at": "08:30 02/07/2025",
    "applicant_name": "Nguyễn Văn An",
}


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ("event", "channel", "language", "subject", "updated_at")
    list_filter = ("event", "channel", "language")
    search_fields = ("subject", "body")
    readonly_fields = ("preview", "default_text", "variables")
    fields = ("event", "channel", "language", "subject", "body", "preview", "default_text", "variables")

    def get_changeform_initial_data(self, request):
        """``?event=…&channel=…&language=…`` starts a new template from the shipped default."""
        initial = super().get_changeform_initial_data(request)
        event, channel = initial.get("event"), initial.get("channel")
        if event in dict(EVENT_CHOICES) and channel in Channel.values:
            subject, body = default_template(event, channel, initial.get("language") or "vi")
            initial.setdefault("subject", subject)
            initial.setdefault("body", body)
        return initial

    def get_urls(self):
        return [
            path("<int:pk>/thu-html/", self.admin_site.admin_view(self.email_preview_view),
                 name="notifications_messagetemplate_email_preview"),
            *super().get_urls(),
        ]

    def _render_preview(self, obj):
        if obj.event == RESUME_LINK:
            draft = FilingDraft(procedure=sample_dossier().procedure, expires_at=timezone.now())
            return render_draft_message(draft, obj.channel, obj.language, SAMPLE_DRAFT_CONTEXT,
                                        source=(obj.subject, obj.body))
        return render_message(sample_dossier(), obj.event, obj.channel, obj.language, SAMPLE_CONTEXT,
                              source=(obj.subject, obj.body))

    @admin.display(description=_("xem trước"))
    def preview(self, obj):
        if obj is None or not obj.pk:
            return _("Lưu mẫu (“Lưu và tiếp tục sửa”) để xem trước.")
        try:
            rendered = self._render_preview(obj)
        except Exception as error:  # noqa: BLE001 - show the administrator what is wrong
            return format_html('<p class="errornote">{}</p>', f"{TemplateSyntaxProblem.__name__}: {error}")
        if obj.channel == Channel.SMS:
            return format_html('<pre class="message-text">{}</pre><p>{}</p>', rendered.body,
                               _("%(n)d ký tự, %(s)d tin SMS") % {"n": len(rendered.body), "s": rendered.segments})
        # The email's HTML in a frame of its own address (email_preview_view): a srcdoc frame would
        # inherit the admin's policy, which refuses the style="" attributes email clients need.
        return format_html('<p><strong>{}</strong></p><pre class="message-text">{}</pre>'
                           '<iframe class="email-preview" sandbox src="{}" title="{}"></iframe>',
                           rendered.subject, rendered.body,
                           reverse("admin:notifications_messagetemplate_email_preview", args=[obj.pk]),
                           _("Thư điện tử xem trước"))

    # An email's HTML carries its styles in style="" attributes (email clients ignore style sheets).
    # This one response, shown only in the sandboxed frame of the template's own admin page, allows
    # them and nothing else: no script, no request anywhere but our own images.
    @method_decorator(csp({"default-src": ["'none'"], "style-src-attr": ["'unsafe-inline'"],
                           "img-src": ["'self'", "data:"], "base-uri": ["'none'"], "form-action": ["'none'"],
                           "frame-ancestors": ["'self'"]}))
    @method_decorator(xframe_options_sameorigin)
    def email_preview_view(self, request, pk):
        obj = self.get_object(request, str(pk))
        if obj is None or not self.has_view_permission(request, obj) or obj.channel == Channel.SMS:
            raise Http404
        try:
            html = self._render_preview(obj).html
        except Exception:  # noqa: BLE001 - the template's page shows the error itself
            raise Http404 from None
        return HttpResponse(html)

    @admin.display(description=_("mẫu mặc định"))
    def default_text(self, obj):
        if obj is None or not obj.event or not obj.channel:
            return "—"
        subject, body = default_template(obj.event, obj.channel, obj.language or "vi")
        return format_html('<p>{}</p><pre class="message-text">{}</pre>', subject, body)

    @admin.display(description=_("biến dùng được"))
    def variables(self, obj):
        names = DRAFT_VARIABLES if obj is not None and obj.event == RESUME_LINK else VARIABLES
        return format_html("<ul>{}</ul>", format_html_join(
            "", "<li><code>{{{{ {} }}}}</code>: {}</li>", names.items()))
