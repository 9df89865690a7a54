"""The back office's payments: the list with filters, the daily reconciliation, receipts, in-person payments.

Clerks see only the payments of their agencies' dossiers (``Agency.staff``, like the
dossier admin); superusers and holders of ``dossiers.view_all_agencies`` see all.
Payments are never edited by hand: they change only through ``payments.services``
(the gateway's IPN, the actions below).
"""

import json
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.dispatch import Signal
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dossiers import roles
from dossiers.models import Dossier

from . import services
from .models import Payment, PaymentProvider, PaymentStatus
from .money import format_dong
from .views import receipt_context

# Sent with ``payment`` and ``fmt`` ("html") when a staff member opens a receipt: it names the payer,
# and the back office writes it to the audit trail (this app may not import the trail itself).
receipt_shown = Signal()


class AgencyFilter(admin.SimpleListFilter):
    title = gettext_lazy("cơ quan tiếp nhận")
    parameter_name = "agency"

    def lookups(self, request, model_admin):
        return [(agency.pk, agency.name) for agency in roles.visible_agencies(request.user)]

    def queryset(self, request, queryset):
        return queryset.filter(dossier__agency_id=self.value()) if self.value() else queryset


class PendingTooLongFilter(admin.SimpleListFilter):
    title = gettext_lazy("chờ xác nhận quá lâu")
    parameter_name = "stale"

    def lookups(self, request, model_admin):
        return [("1", gettext_lazy("Có"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(status=PaymentStatus.PENDING, created_at__lt=stale_before())
        return queryset


def stale_before():
    return timezone.now() - timedelta(minutes=settings.PAYMENT_PENDING_ALERT_MINUTES)


class InPersonPaymentForm(forms.Form):
    dossier_code = forms.CharField(label=gettext_lazy("Mã hồ sơ"), max_length=40)
    receipt_number = forms.CharField(label=gettext_lazy("Số biên lai"), max_length=64,
                                     help_text=gettext_lazy("Số của biên lai thu phí, lệ phí đã giao cho người nộp."))
    amount = forms.IntegerField(label=gettext_lazy("Số tiền (đồng)"), min_value=1)
    note = forms.CharField(label=gettext_lazy("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_dossier_code(self):
        code = self.cleaned_data["dossier_code"].strip().upper()
        dossier = roles.visible_dossiers(Dossier.objects.select_related("agency", "procedure"), self.user) \
            .filter(code=code).first()
        if dossier is None:
            raise forms.ValidationError(_("Không tìm thấy hồ sơ %(code)s trong các cơ quan của bạn.") % {"code": code})
        self.dossier = dossier
        return code


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("reference", "dossier_code", "agency_name", "amount_display", "provider", "status",
                    "needs_refund", "created_at", "paid_at", "receipt_number")
    list_filter = ("status", "provider", "needs_refund", PendingTooLongFilter, AgencyFilter,
                   ("created_at", admin.DateFieldListFilter), ("paid_at", admin.DateFieldListFilter))
    search_fields = ("reference", "receipt_number", "provider_transaction_no", "dossier__code",
                     "dossier__applicant_name")
    date_hierarchy = "created_at"
    list_select_related = ("dossier", "dossier__agency")
    list_per_page = 50
    actions = ["mark_refunded_action", "cancel_pending_action"]
    fields = ("reference", "dossier_code", "agency_name", "provider", "status", "amount_display", "fee_name",
              "created_at", "paid_at", "provider_transaction_no", "bank_code", "receipt_number", "recorded_by",
              "client_ip", "needs_refund", "note", "receipt_link", "raw_responses_display")
    readonly_fields = fields

    # Payments change only through the services: no add, no edit, no delete.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return roles.visible_to(super().get_queryset(request), request.user, agency_path="dossier__agency")

    @admin.display(description=gettext_lazy("mã hồ sơ"), ordering="dossier__code")
    def dossier_code(self, payment):
        return payment.dossier.code

    @admin.display(description=gettext_lazy("cơ quan"), ordering="dossier__agency__name")
    def agency_name(self, payment):
        return payment.dossier.agency.name

    @admin.display(description=gettext_lazy("số tiền (đồng)"), ordering="amount")
    def amount_display(self, payment):
        return format_dong(payment.amount)

    @admin.display(description=gettext_lazy("biên lai"))
    def receipt_link(self, payment):
        if payment.paid_at is None:
            return "–"
        return format_html('<a href="{}" target="_blank">{}</a>',
                           reverse("admin:payments_payment_receipt", args=[payment.pk]), _("Xem, in biên lai"))

    @admin.display(description=gettext_lazy("dữ liệu từ cổng thanh toán"))
    def raw_responses_display(self, payment):
        return format_html("<pre>{}</pre>", json.dumps(payment.raw_responses, ensure_ascii=False, indent=2))

    # --- actions ---------------------------------------------------------------------------------
    @admin.action(description=gettext_lazy("Đánh dấu đã hoàn tiền"), permissions=["reconcile"])
    def mark_refunded_action(self, request, queryset):
        done = 0
        for payment in queryset.select_related("dossier"):
            try:
                services.mark_refunded(payment, actor=request.user)
                done += 1
            except services.PaymentError as error:
                self.message_user(request, f"{payment.reference}: {error}", messages.WARNING)
        if done:
            self.message_user(request, _("Đã ghi nhận hoàn tiền %(count)d giao dịch.") % {"count": done})

    @admin.action(description=gettext_lazy("Đóng giao dịch chờ quá lâu (đã kiểm tra với cổng thanh toán)"),
                  permissions=["reconcile"])
    def cancel_pending_action(self, request, queryset):
        done = sum(services.cancel_pending(payment, actor=request.user)
                   for payment in queryset.filter(status=PaymentStatus.PENDING).select_related("dossier"))
        self.message_user(request, _("Đã đóng %(count)d giao dịch.") % {"count": done})

    def has_reconcile_permission(self, request):
        return request.user.has_perm("payments.reconcile_payments")

    def has_record_permission(self, request):
        return request.user.has_perm("payments.record_in_person_payment")

    # --- extra pages -------------------------------------------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("doi-soat/", wrap(self.reconciliation_view), name="payments_payment_reconciliation"),
            path("thu-truc-tiep/", wrap(self.in_person_view), name="payments_payment_in_person"),
            path("<int:pk>/bien-lai/", wrap(self.receipt_view), name="payments_payment_receipt"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_reconcile": self.has_reconcile_permission(request),
            "can_record": self.has_record_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def receipt_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        payment = get_object_or_404(self.get_queryset(request).select_related(
            "dossier", "dossier__agency", "dossier__procedure", "recorded_by"), pk=pk)
        if payment.paid_at is None:
            raise Http404("no receipt for an unpaid attempt")
        receipt_shown.send(sender=type(self), payment=payment, fmt="html")
        return TemplateResponse(request, "admin/payments/receipt.html", {
            **self.admin_site.each_context(request), **receipt_context(payment),
            "title": _("Biên lai %(number)s") % {"number": payment.receipt_number or payment.reference},
            "opts": self.model._meta,
        })

    def reconciliation_view(self, request):
        """Paid totals per agency per day (Vietnam's calendar days), and online attempts pending too long."""
        if not self.has_reconcile_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        try:
            date_to = forms.DateField().clean(request.GET.get("den") or today)
            date_from = forms.DateField().clean(request.GET.get("tu") or today - timedelta(days=6))
        except forms.ValidationError:
            date_from, date_to = today - timedelta(days=6), today
        payments = roles.visible_to(Payment.objects.all(), request.user, agency_path="dossier__agency")
        day = TruncDate("paid_at", tzinfo=timezone.get_current_timezone())
        rows = (payments.filter(status=PaymentStatus.PAID)
                .annotate(day=day).filter(day__gte=date_from, day__lte=date_to)
                .values("day", "dossier__agency_id", "dossier__agency__name", "provider")
                .annotate(total=Sum("amount"), count=Count("id"))
                .order_by("-day", "dossier__agency__name", "provider"))
        grand_total = sum(row["total"] for row in rows)
        stale = (payments.filter(status=PaymentStatus.PENDING, created_at__lt=stale_before())
                 .select_related("dossier", "dossier__agency").order_by("created_at"))
        refunds = (payments.filter(needs_refund=True)
                   .select_related("dossier", "dossier__agency").order_by("created_at"))
        return TemplateResponse(request, "admin/payments/reconciliation.html", {
            **self.admin_site.each_context(request),
            "title": _("Đối soát thanh toán"), "opts": self.model._meta,
            "rows": [{**row, "provider_label": PaymentProvider(row["provider"]).label} for row in rows],
            "grand_total": grand_total, "date_from": date_from, "date_to": date_to,
            "stale": stale, "refunds": refunds, "alert_minutes": settings.PAYMENT_PENDING_ALERT_MINUTES,
        })

    def in_person_view(self, request):
        """Record a fee paid at the one-stop shop, with the receipt number (level 3, or a level 4 walk-in)."""
        if not self.has_record_permission(request):
            raise PermissionDenied
        initial = {}
        code = request.GET.get("ma", "").strip()
        if code:
            dossier = roles.visible_dossiers(Dossier.objects.all(), request.user).filter(code=code.upper()).first()
            if dossier is not None:
                initial = {"dossier_code": dossier.code,
                           "amount": dossier.fee_amount or getattr(dossier.procedure.fees.first(), "amount", None)}
        form = InPersonPaymentForm(request.POST or None, user=request.user, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                payment = services.record_in_person_payment(
                    form.dossier, actor=request.user, receipt_number=form.cleaned_data["receipt_number"],
                    amount=form.cleaned_data["amount"], note=form.cleaned_data["note"],
                )
            except services.PaymentError as error:
                form.add_error(None, str(error))
            except PermissionDenied:
                form.add_error("dossier_code", _("Bạn không thuộc cơ quan tiếp nhận hồ sơ này."))
            else:
                self.message_user(request, _("Đã ghi nhận %(amount)s đồng cho hồ sơ %(code)s, biên lai số %(number)s.") % {
                    "amount": format_dong(payment.amount), "code": form.dossier.code, "number": payment.receipt_number})
                return redirect("admin:payments_payment_change", payment.pk)
        return TemplateResponse(request, "admin/payments/in_person.html", {
            **self.admin_site.each_context(request),
            "title": _("Ghi nhận thu phí trực tiếp"), "opts": self.model._meta, "form": form,
        })
