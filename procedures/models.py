"""The public catalogue: jurisdiction tiers, agencies, sectors and administrative procedures."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    FileExtensionValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .documents import TEMPLATE_EXTENSIONS
from .text import search_key

# A form template is a document a citizen downloads and prints; anything bigger is a mistake.
FORM_TEMPLATE_MAX_BYTES = 10 * 1024 * 1024


class JurisdictionTier(models.Model):
    """A level of government that receives dossiers (phường/xã, quận/huyện, sở/ngành).

    Data, not code: after the 2025 reform many provinces have two tiers, and the
    portal follows whatever rows exist, in ``order`` (1 = closest to the citizen).
    """

    slug = models.SlugField(_("mã cấp"), unique=True, help_text=_("Dùng trong đường dẫn, ví dụ: cap-xa."))
    name = models.CharField(_("tên cấp"), max_length=120)
    submit_label = models.CharField(
        _("nhãn nộp hồ sơ"), max_length=160, help_text=_("Ví dụ: Nộp hồ sơ tại phường/xã/thị trấn.")
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), unique=True)

    class Meta:
        ordering = ["order"]
        verbose_name = _("cấp thẩm quyền")
        verbose_name_plural = _("cấp thẩm quyền")

    def __str__(self):
        return self.label

    # The names are data; the usual ones (the demo's, the national ones) have English translations
    # in the catalogue, any other name shows as entered.
    @property
    def label(self):
        return gettext(self.name)

    @property
    def submit_label_translated(self):
        return gettext(self.submit_label)


class Agency(models.Model):
    """An office that receives and settles dossiers (cơ quan tiếp nhận)."""

    name = models.CharField(_("tên cơ quan"), max_length=255)
    tier = models.ForeignKey(JurisdictionTier, on_delete=models.PROTECT, related_name="agencies",
                             verbose_name=_("cấp"))
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="children", verbose_name=_("cơ quan cấp trên"))
    identifier_code = models.CharField(
        _("mã định danh"), max_length=20, unique=True,
        validators=[RegexValidator(r"^[0-9A-Z]{2,3}(\.[0-9A-Z]{2,3}){3}$",
                                   _("Mã định danh có dạng V1V2V3.Z1Z2.Y1Y2.MX1X2, ví dụ 000.00.12.H26."))],
        help_text=_("Mã định danh điện tử của cơ quan, dùng trong mã hồ sơ."),
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=40, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    opening_hours = models.CharField(_("giờ làm việc"), max_length=255, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="agencies",
                                   verbose_name=_("cán bộ"),
                                   help_text=_("Cán bộ bộ phận một cửa và chuyên viên của cơ quan."))

    class Meta:
        ordering = ["tier__order", "name"]
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")

    def __str__(self):
        return self.name

    def clean(self):
        if self.parent_id and self.tier_id:
            if self.parent_id == self.pk:
                raise ValidationError({"parent": _("Cơ quan không thể là cấp trên của chính nó.")})
            if self.parent.tier.order <= self.tier.order:
                raise ValidationError({"parent": _("Cơ quan cấp trên phải thuộc cấp cao hơn (%(tier)s).") % {
                    "tier": self.tier.name}})


class Sector(models.Model):
    """The subject area of procedures (lĩnh vực): Hộ tịch, Xây dựng, Đất đai …"""

    name = models.CharField(_("tên lĩnh vực"), max_length=160, unique=True)
    slug = models.SlugField(_("mã lĩnh vực"), unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")

    def __str__(self):
        return self.name


class ServiceLevel(models.IntegerChoices):
    """Online service levels; Decree 42/2022 names 3 "một phần" and 4 "toàn trình"."""

    INFORMATION = 1, _("Mức độ 1 – Cung cấp thông tin")
    FORMS = 2, _("Mức độ 2 – Tải mẫu đơn, tờ khai")
    PARTIAL = 3, _("Mức độ 3 – Dịch vụ công trực tuyến một phần")
    FULL = 4, _("Mức độ 4 – Dịch vụ công trực tuyến toàn trình")


class PublishedProcedureQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Procedure(models.Model):
    """An administrative procedure (thủ tục hành chính) as published in the catalogue."""

    code = models.CharField(_("mã thủ tục"), max_length=30, unique=True,
                            validators=[RegexValidator(r"^[0-9A-Za-z.\-]+$", _("Chỉ gồm chữ, số, dấu chấm, gạch ngang."))],
                            help_text=_("Mã trên Cơ sở dữ liệu quốc gia về TTHC, ví dụ 1.001193."))
    name = models.CharField(_("tên thủ tục"), max_length=500)
    # Lower-case, without diacritics: lets one query find "Đăng ký khai sinh" from
    # "dang ky khai sinh" on SQLite and PostgreSQL alike. Kept in step by save().
    search_text = models.TextField(editable=False, default="", db_index=True)
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="procedures",
                               verbose_name=_("lĩnh vực"))
    tier = models.ForeignKey(JurisdictionTier, on_delete=models.PROTECT, related_name="procedures",
                             verbose_name=_("cấp thực hiện"))
    agencies = models.ManyToManyField(Agency, blank=True, related_name="procedures",
                                      verbose_name=_("cơ quan tiếp nhận"))
    service_level = models.PositiveSmallIntegerField(_("mức độ"), choices=ServiceLevel.choices,
                                                     default=ServiceLevel.INFORMATION)
    for_citizens = models.BooleanField(_("đối tượng: công dân"), default=True)
    for_organisations = models.BooleanField(_("đối tượng: tổ chức, doanh nghiệp"), default=False)
    steps = models.TextField(_("trình tự thực hiện"), blank=True)
    submission_methods = models.TextField(_("cách thức thực hiện"), blank=True)
    conditions = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    processing_days = models.PositiveSmallIntegerField(_("thời hạn giải quyết (ngày làm việc)"), default=0)
    processing_note = models.CharField(_("ghi chú thời hạn"), max_length=255, blank=True,
                                       help_text=_("Ví dụ: Ngay trong ngày tiếp nhận; trường hợp sau 15 giờ thì trả trong ngày làm việc tiếp theo."))
    fee_note = models.TextField(_("ghi chú phí, lệ phí"), blank=True)
    result = models.TextField(_("kết quả thực hiện"), blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    allows_electronic_result = models.BooleanField(_("trả kết quả điện tử"), default=False)
    is_published = models.BooleanField(_("công bố"), default=True)
    popularity = models.PositiveIntegerField(_("lượt sử dụng"), default=0, editable=False)
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)

    objects = PublishedProcedureQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        constraints = [
            models.CheckConstraint(condition=models.Q(service_level__gte=1, service_level__lte=4),
                                   name="procedure_service_level_1_to_4"),
            models.CheckConstraint(condition=models.Q(for_citizens=True) | models.Q(for_organisations=True),
                                   name="procedure_has_applicant_type"),
        ]
        indexes = [
            models.Index(fields=["is_published", "tier", "service_level"]),
            # The catalogue's first pages (by name) and the home page's most used procedures:
            # the first rows of an index, not a sort of the whole catalogue on every render.
            models.Index(fields=["name", "code"], condition=models.Q(is_published=True),
                         name="procedure_published_by_name"),
            models.Index(fields=["-popularity", "name"], condition=models.Q(is_published=True),
                         name="procedure_published_popular"),
        ]

    def __str__(self):
        return f"{self.code} – {self.name}"

    def save(self, *args, **kwargs):
        self.search_text = search_key(f"{self.code} {self.name}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("procedures:detail", args=[self.code])

    @property
    def processing_time_text(self):
        """The processing time in words, as slips and receipts print it: never "0 ngày làm việc".

        Same-day procedures give their own note ("Ngay trong ngày tiếp nhận …") or "Trong ngày";
        the others "03 ngày làm việc".
        """
        if not self.processing_days:
            return self.processing_note or gettext("Trong ngày")
        return ngettext("%(days)02d ngày làm việc", "%(days)02d ngày làm việc", self.processing_days) % {
            "days": self.processing_days}

    def clean(self):
        if not self.for_citizens and not self.for_organisations:
            raise ValidationError(_("Chọn ít nhất một đối tượng thực hiện: công dân hoặc tổ chức, doanh nghiệp."))
        if self.allows_electronic_result and self.service_level < ServiceLevel.PARTIAL:
            raise ValidationError({"allows_electronic_result": _(
                "Chỉ thủ tục nộp trực tuyến (mức độ 3, 4) mới trả kết quả điện tử.")})

    @property
    def can_file_online(self):
        return self.is_published and self.service_level >= ServiceLevel.PARTIAL

    @property
    def pays_online(self):
        return self.service_level == ServiceLevel.FULL


class Fee(models.Model):
    """One named amount of the procedure's fees (phí, lệ phí), in đồng."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("trường hợp"), max_length=255)
    amount = models.PositiveIntegerField(_("số tiền (đồng)"))
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")

    def __str__(self):
        # Only the amount gets dots as thousands separators: the name keeps its commas.
        amount = f"{self.amount:,}".replace(",", ".")
        return f"{self.name}: {amount} đ"


class DossierComponent(models.Model):
    """A document the procedure requires (thành phần hồ sơ)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="components")
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    originals = models.PositiveSmallIntegerField(_("số bản chính"), default=1)
    copies = models.PositiveSmallIntegerField(_("số bản sao"), default=0)
    is_required = models.BooleanField(_("bắt buộc"), default=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")

    def __str__(self):
        return self.name


def form_template_path(instance, filename):
    return f"form-templates/{instance.component.procedure.code}/{filename}"


class FormTemplate(models.Model):
    """A downloadable form (mẫu đơn, tờ khai) attached to a dossier component."""

    component = models.ForeignKey(DossierComponent, on_delete=models.CASCADE, related_name="templates",
                                  verbose_name=_("thành phần hồ sơ"))
    title = models.CharField(_("tên mẫu"), max_length=255)
    file = models.FileField(_("tệp mẫu"), upload_to=form_template_path, max_length=255,
                            validators=[FileExtensionValidator(TEMPLATE_EXTENSIONS)],
                            help_text=_("Tệp PDF, Word (DOCX, DOC), ODT hoặc Excel; tối đa 10 MB."))

    class Meta:
        ordering = ["id"]
        verbose_name = _("mẫu đơn, tờ khai")
        verbose_name_plural = _("mẫu đơn, tờ khai")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("procedures:template", args=[self.component.procedure.code, self.pk])

    def clean(self):
        if self.file and getattr(self.file, "size", 0) > FORM_TEMPLATE_MAX_BYTES:
            raise ValidationError({"file": _("Tệp mẫu quá lớn (tối đa 10 MB).")})

    @property
    def extension(self):
        return self.extension_of(self.file.name)

    @staticmethod
    def extension_of(name):
        """The file type shown beside a template's link ("DOCX"), from its stored name."""
        return name.rsplit(".", 1)[-1].upper() if "." in name else ""


class DeclarationFieldType(models.TextChoices):
    SHORT_TEXT = "text", _("Văn bản ngắn")
    LONG_TEXT = "textarea", _("Văn bản dài")
    NUMBER = "number", _("Số")
    DATE = "date", _("Ngày")
    CHOICE = "choice", _("Chọn một")
    MULTIPLE_CHOICE = "multichoice", _("Chọn nhiều")
    CHECKBOX = "checkbox", _("Ô đánh dấu")
    PHONE = "phone", _("Số điện thoại")
    EMAIL = "email", _("Thư điện tử")
    ID_NUMBER = "id_number", _("Số định danh cá nhân")


class DeclarationField(models.Model):
    """One field of the procedure's online declaration (tờ khai), defined as data.

    A filed dossier keeps a snapshot of these definitions, so later edits here never
    change what a citizen filed.
    """

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="declaration_fields")
    key = models.SlugField(_("khóa"), max_length=60, help_text=_("Tên máy đọc, không dấu, ví dụ: ho_ten_con."))
    label = models.CharField(_("nhãn"), max_length=255)
    help_text = models.CharField(_("hướng dẫn"), max_length=500, blank=True)
    field_type = models.CharField(_("kiểu"), max_length=20, choices=DeclarationFieldType.choices,
                                  default=DeclarationFieldType.SHORT_TEXT)
    is_required = models.BooleanField(_("bắt buộc"), default=False)
    choices = models.TextField(_("các lựa chọn"), blank=True, help_text=_("Mỗi dòng một lựa chọn."))
    min_value = models.DecimalField(_("giá trị/độ dài nhỏ nhất"), max_digits=14, decimal_places=2,
                                    null=True, blank=True)
    max_value = models.DecimalField(_("giá trị/độ dài lớn nhất"), max_digits=14, decimal_places=2,
                                    null=True, blank=True)
    allow_future = models.BooleanField(_("cho phép ngày tương lai"), default=False)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0,
                                             validators=[MinValueValidator(0), MaxValueValidator(999)])

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("trường tờ khai")
        verbose_name_plural = _("trường tờ khai")
        constraints = [models.UniqueConstraint(fields=["procedure", "key"], name="declaration_field_key_unique")]

    def __str__(self):
        return self.label

    def clean(self):
        errors = {}
        needs_choices = self.field_type in (DeclarationFieldType.CHOICE, DeclarationFieldType.MULTIPLE_CHOICE)
        if needs_choices and len(self.choice_list) < 2:
            errors["choices"] = _("Kiểu chọn cần ít nhất hai lựa chọn, mỗi dòng một lựa chọn.")
        if not needs_choices and self.choices.strip():
            errors["choices"] = _("Chỉ kiểu “Chọn một” và “Chọn nhiều” mới có các lựa chọn.")
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            errors["max_value"] = _("Giá trị lớn nhất phải không nhỏ hơn giá trị nhỏ nhất.")
        if errors:
            raise ValidationError(errors)

    @property
    def choice_list(self):
        return [line.strip() for line in self.choices.splitlines() if line.strip()]
