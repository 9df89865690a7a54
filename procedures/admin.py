"""The catalogue in the Django admin, for catalogue administrators.

A procedure is edited on one page: its fees, its dossier components (each with an
optional form template uploaded right there) and the fields of its online declaration.
The rules between those parts (``procedures.rules``) are checked on what is being
submitted, before anything is saved, so an administrator sees the error on the page.
"""

import os

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .documents import TEMPLATE_EXTENSIONS
from .models import (
    FORM_TEMPLATE_MAX_BYTES,
    Agency,
    DeclarationField,
    DossierComponent,
    Fee,
    FormTemplate,
    JurisdictionTier,
    Procedure,
    Sector,
)
from .pagecache import catalogue_changed
from .rules import AGENCIES, TEMPLATES, procedure_problems, service_level_problems
from .text import search_key


class DiacriticInsensitiveSearch:
    """Admin search on ``search_text``: "dang ky khai sinh" finds "Đăng ký khai sinh"."""

    search_fields = ("search_text",)

    def get_search_results(self, request, queryset, search_term):
        for word in search_key(search_term).split()[:10]:
            queryset = queryset.filter(search_text__contains=word)
        return queryset, False


@admin.register(JurisdictionTier)
class JurisdictionTierAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "order", "submit_label")
    list_editable = ("order",)
    ordering = ("order",)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "identifier_code", "tier", "parent", "phone", "is_active")
    list_filter = ("tier", "is_active")
    search_fields = ("name", "identifier_code", "address")
    list_select_related = ("tier", "parent")
    autocomplete_fields = ("parent",)
    filter_horizontal = ("staff",)
    fieldsets = (
        (None, {"fields": ("name", "tier", "parent", "identifier_code", "is_active")}),
        (_("Liên hệ"), {"fields": ("address", "phone", "email", "opening_hours")}),
        (_("Cán bộ"), {"fields": ("staff",)}),
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        # Who works where is for the catalogue's administrators and the agency's own staff:
        # a clerk who may only view agencies does not read another agency's staff list.
        if obj is not None and not request.user.has_perm("procedures.change_agency") \
                and not obj.staff.filter(pk=request.user.pk).exists():
            fieldsets = [(name, options) for name, options in fieldsets if "staff" not in options["fields"]]
        return fieldsets

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "staff":
            from django.contrib.auth import get_user_model

            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True).order_by("username")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "procedure_count")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(procedure_count=Count("procedures"))

    @admin.display(description=_("số thủ tục"), ordering="procedure_count")
    def procedure_count(self, sector):
        return sector.procedure_count


class FeeInline(admin.TabularInline):
    model = Fee
    extra = 0
    fields = ("order", "name", "amount")


def _check_upload(upload):
    FileExtensionValidator(TEMPLATE_EXTENSIONS)(upload)
    if upload.size > FORM_TEMPLATE_MAX_BYTES:
        raise ValidationError(_("Tệp mẫu quá lớn (tối đa 10 MB)."))


class ComponentInlineForm(forms.ModelForm):
    """A dossier component, with an optional new form template uploaded in the same row."""

    template_file = forms.FileField(label=_("thêm mẫu đơn, tờ khai"), required=False, validators=[_check_upload],
                                    help_text=_("PDF, DOCX, DOC, ODT, XLSX, XLS; tối đa 10 MB."))
    template_title = forms.CharField(label=_("tên mẫu"), required=False, max_length=255,
                                     help_text=_("Để trống: dùng tên giấy tờ."))

    class Meta:
        model = DossierComponent
        fields = ("order", "name", "originals", "copies", "is_required")


class ComponentInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        templates = 0
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            if form.instance.pk:
                templates += form.instance.templates.count()
            if form.cleaned_data.get("template_file"):
                templates += 1
        problems = service_level_problems(service_level=self.instance.service_level, template_count=templates)
        if TEMPLATES in problems:
            raise ValidationError(problems[TEMPLATES])


class DossierComponentInline(admin.TabularInline):
    model = DossierComponent
    form = ComponentInlineForm
    formset = ComponentInlineFormSet
    extra = 0
    show_change_link = True
    fields = ("order", "name", "originals", "copies", "is_required", "template_list", "template_file",
              "template_title")
    readonly_fields = ("template_list",)

    @admin.display(description=_("mẫu hiện có"))
    def template_list(self, component):
        if not component.pk:
            return "–"
        return ", ".join(template.title for template in component.templates.all()) or "–"


class DeclarationFieldInline(admin.TabularInline):
    model = DeclarationField
    extra = 0
    fields = ("order", "key", "label", "field_type", "is_required", "choices", "help_text", "min_value",
              "max_value", "allow_future")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("choices", "help_text") and field is not None:
            field.widget = forms.Textarea(attrs={"rows": 2, "cols": 30})
        return field


class ProcedureAdminForm(forms.ModelForm):
    class Meta:
        model = Procedure
        fields = ("code", "name", "sector", "tier", "agencies", "service_level", "is_published", "for_citizens",
                  "for_organisations", "steps", "submission_methods", "conditions", "processing_days",
                  "processing_note", "fee_note", "result", "legal_basis", "allows_electronic_result")

    def clean(self):
        cleaned = super().clean()
        agencies = cleaned.get("agencies")
        if agencies is not None and cleaned.get("service_level") is not None:
            problems = service_level_problems(service_level=cleaned["service_level"], agency_count=len(agencies))
            if AGENCIES in problems:
                self.add_error("agencies", problems[AGENCIES])
        return cleaned


@admin.register(Procedure)
class ProcedureAdmin(DiacriticInsensitiveSearch, admin.ModelAdmin):
    form = ProcedureAdminForm
    list_display = ("code", "name", "sector", "tier", "service_level", "processing_days", "is_published",
                    "updated_at")
    list_display_links = ("code", "name")
    list_filter = ("tier", "service_level", "sector", "is_published", "allows_electronic_result",
                   "for_organisations", ("agencies", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("sector", "tier")
    list_per_page = 50
    filter_horizontal = ("agencies",)
    readonly_fields = ("popularity", "updated_at")
    inlines = (FeeInline, DossierComponentInline, DeclarationFieldInline)
    actions = ("publish", "unpublish")
    save_on_top = True
    fieldsets = (
        (None, {"fields": ("code", "name", "sector", "tier", "agencies", "service_level", "is_published")}),
        (_("Đối tượng thực hiện"), {"fields": ("for_citizens", "for_organisations")}),
        (_("Trình tự, cách thức, điều kiện"), {"fields": ("steps", "submission_methods", "conditions")}),
        (_("Thời hạn, phí, kết quả"), {"fields": ("processing_days", "processing_note", "fee_note", "result",
                                                  "allows_electronic_result")}),
        (_("Căn cứ pháp lý"), {"fields": ("legal_basis",)}),
        (_("Thống kê"), {"fields": ("popularity", "updated_at"), "classes": ("collapse",)}),
    )

    def get_urls(self):
        from django.urls import path

        from .admin_import import import_view

        return [path("nhap-tu-tep/", self.admin_site.admin_view(lambda request: import_view(self, request)),
                     name="procedures_procedure_import"), *super().get_urls()]

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is not DossierComponent:
            return
        for component_form in formset.forms:
            data = getattr(component_form, "cleaned_data", None) or {}
            upload = data.get("template_file")
            if upload and not data.get("DELETE") and component_form.instance.pk:
                title = data.get("template_title") or os.path.splitext(upload.name)[0] or component_form.instance.name
                FormTemplate.objects.create(component=component_form.instance, title=title, file=upload)

    @admin.action(description=_("Công bố các thủ tục đã chọn"), permissions=["change"])
    def publish(self, request, queryset):
        published, refused = 0, []
        for procedure in queryset:
            problems = procedure_problems(procedure)
            if problems:
                refused.append(f"{procedure.code}: {' '.join(str(p) for p in problems)}")
                continue
            procedure.is_published = True
            procedure.save(update_fields=["is_published", "updated_at"])
            published += 1
        if published:
            self.message_user(request, ngettext("Đã công bố %d thủ tục.", "Đã công bố %d thủ tục.", published)
                              % published, messages.SUCCESS)
        for line in refused:
            self.message_user(request, _("Chưa công bố %(line)s") % {"line": line}, messages.ERROR)

    @admin.action(description=_("Ngừng công bố các thủ tục đã chọn"), permissions=["change"])
    def unpublish(self, request, queryset):
        count = queryset.update(is_published=False)
        catalogue_changed()  # update() sends no post_save: the public pages' cache must still forget them
        self.message_user(request, ngettext("Đã ngừng công bố %d thủ tục.", "Đã ngừng công bố %d thủ tục.", count)
                          % count, messages.SUCCESS)


class FormTemplateInlineFormSet(forms.BaseInlineFormSet):
    """Removing a component's last template must not leave a level 2+ procedure without any."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        component = self.instance
        procedure = component.procedure
        remaining = sum(1 for form in self.forms
                        if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
                        and (form.instance.pk or form.cleaned_data.get("file")))
        elsewhere = FormTemplate.objects.filter(component__procedure=procedure).exclude(component=component).count()
        problems = service_level_problems(service_level=procedure.service_level, template_count=remaining + elsewhere)
        if TEMPLATES in problems:
            raise ValidationError(problems[TEMPLATES])


class FormTemplateInline(admin.TabularInline):
    model = FormTemplate
    formset = FormTemplateInlineFormSet
    extra = 1
    fields = ("title", "file")


@admin.register(DossierComponent)
class DossierComponentAdmin(admin.ModelAdmin):
    """A component's own page: where its form templates are replaced or removed."""

    list_display = ("name", "procedure", "originals", "copies", "is_required")
    list_filter = ("is_required", "procedure__tier", "procedure__service_level")
    search_fields = ("name", "procedure__code", "procedure__name")
    list_select_related = ("procedure",)
    autocomplete_fields = ("procedure",)
    inlines = (FormTemplateInline,)
