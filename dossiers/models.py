"""Dossiers (hồ sơ): what a citizen filed, its attachments, and its append-only history."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procedures.models import Agency, DossierComponent, Procedure
from procedures.text import search_key

from .workflow import NATIONAL_STATUS_CODE, Actor, DossierStatus


class ApplicantType(models.TextChoices):
    CITIZEN = "citizen", _("Công dân")
    ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")


class DeliveryMethod(models.TextChoices):
    IN_PERSON = "in_person", _("Nhận trực tiếp tại bộ phận một cửa")
    POST = "post", _("Nhận qua dịch vụ bưu chính")
    ONLINE = "online", _("Nhận kết quả điện tử trực tuyến")


class SubmissionChannel(models.TextChoices):
    """How the dossier reached the agency (Decision 766 counts each separately)."""

    ONLINE = "online", _("Trực tuyến")
    IN_PERSON = "in_person", _("Trực tiếp")
    POST = "post", _("Qua dịch vụ bưu chính")


class Dossier(models.Model):
    """One application for one procedure at one receiving agency."""

    code = models.CharField(_("mã hồ sơ"), max_length=40, unique=True)
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="dossiers",
                                  verbose_name=_("thủ tục"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="dossiers",
                               verbose_name=_("cơ quan tiếp nhận"))
    status = models.CharField(_("trạng thái"), max_length=32, choices=DossierStatus.choices,
                              default=DossierStatus.REGISTERED, editable=False)
    # Bumped by every transition: a clerk acting on a stale page is told the dossier changed.
    version = models.PositiveIntegerField(default=1, editable=False)
    # The wizard's one-time token: a resubmitted confirm step finds this dossier again
    # instead of creating a second one.
    submission_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    language = models.CharField(_("ngôn ngữ"), max_length=8, default="vi")
    channel = models.CharField(_("hình thức nộp"), max_length=16, choices=SubmissionChannel.choices,
                               default=SubmissionChannel.ONLINE)

    applicant_type = models.CharField(_("đối tượng"), max_length=16, choices=ApplicantType.choices,
                                      default=ApplicantType.CITIZEN)
    applicant_name = models.CharField(_("họ và tên người nộp"), max_length=255)
    applicant_birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    applicant_id_number = models.CharField(_("số định danh cá nhân"), max_length=12, db_index=True)
    applicant_phone = models.CharField(_("số điện thoại"), max_length=16, db_index=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=500)
    organisation_name = models.CharField(_("tên tổ chức"), max_length=255, blank=True)
    organisation_tax_code = models.CharField(_("mã số thuế"), max_length=14, blank=True)
    # The applicant's and organisation's names lower-case without diacritics, so the back
    # office's search finds "Nguyễn Văn An" from "nguyen van an" through one indexed column
    # (a trigram index on PostgreSQL: dossiers/migrations). Kept in step by save().
    applicant_search_name = models.CharField(max_length=520, editable=False, default="")

    # The declaration as filed: the values, and the field definitions they answered.
    declaration = models.JSONField(_("tờ khai"), default=dict, blank=True)
    declaration_schema = models.JSONField(_("mẫu tờ khai khi nộp"), default=list, blank=True)

    submitted_at = models.DateTimeField(_("ngày nộp"), default=timezone.now, db_index=True)
    received_at = models.DateTimeField(_("ngày tiếp nhận"), null=True, blank=True)
    # Indexed with the id (``dossier_deadline_order_idx``): the sort by appointment date needs both.
    appointment_date = models.DateField(_("ngày hẹn trả"), null=True, blank=True)
    # Working days left when a supplement request stopped the clock; the supplement restarts it.
    remaining_working_days = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    result_ready_at = models.DateTimeField(_("ngày có kết quả"), null=True, blank=True)
    returned_at = models.DateTimeField(_("ngày trả kết quả"), null=True, blank=True)
    closed_reason = models.TextField(_("lý do từ chối/dừng"), blank=True)

    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="assigned_dossiers", verbose_name=_("chuyên viên xử lý"))
    result_note = models.TextField(_("kết quả giải quyết"), blank=True)

    fee_name = models.CharField(_("trường hợp phí"), max_length=255, blank=True)
    fee_amount = models.PositiveIntegerField(_("phí, lệ phí (đồng)"), default=0)
    delivery_method = models.CharField(_("hình thức nhận kết quả"), max_length=16, choices=DeliveryMethod.choices,
                                       default=DeliveryMethod.IN_PERSON)
    delivery_address = models.CharField(_("địa chỉ nhận kết quả"), max_length=500, blank=True)
    tracking_number = models.CharField(_("số hiệu bưu gửi"), max_length=64, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        indexes = [
            models.Index(fields=["agency", "status", "appointment_date"]),
            # The back office's list at a million dossiers (issue 12): the default order, a
            # clerk's agencies in that order, the status filter, the deadline queues and
            # counters, the reception and result dates of the leader's view. The code prefix
            # and the name search have PostgreSQL-only indexes of their own in the migration.
            models.Index(fields=["submitted_at", "id"], name="dossier_submitted_order_idx"),
            models.Index(fields=["agency", "submitted_at"], name="dossier_agency_submitted_idx"),
            models.Index(fields=["status", "submitted_at"], name="dossier_status_submitted_idx"),
            # The agency included: the leader's per-agency counts of running dossiers read the index only.
            models.Index(fields=["status", "appointment_date"], include=["agency"],
                         name="dossier_status_deadline_idx"),
            # "Sort by appointment date" both ways: Django adds the id to make the order total.
            models.Index(fields=["appointment_date", "id"], name="dossier_deadline_order_idx"),
            models.Index(fields=["received_at"], name="dossier_received_idx"),
            models.Index(fields=["result_ready_at"], name="dossier_result_ready_idx"),
        ]
        permissions = [
            ("process_dossier", _("Xử lý hồ sơ (chuyển trạng thái)")),
            ("view_all_agencies", _("Xem hồ sơ của mọi cơ quan")),
            ("settle_dossier", _("Giải quyết hồ sơ (ghi nhận kết quả)")),
            ("stop_dossier", _("Dừng xử lý hồ sơ")),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.applicant_search_name = search_key(f"{self.applicant_name} {self.organisation_name}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "applicant_search_name"}
        super().save(*args, **kwargs)

    @property
    def national_status_code(self):
        return NATIONAL_STATUS_CODE[self.status]

    def get_lookup_url(self):
        return f"{reverse('tracking:lookup')}?ma={self.code}"


def dossier_file_path(instance, filename):
    # A random directory: nothing about the citizen or the dossier is guessable from the path.
    return f"dossiers/{timezone.now():%Y/%m}/{uuid.uuid4().hex}/{filename}"


class DossierFileKind(models.TextChoices):
    APPLICATION = "application", _("Thành phần hồ sơ")
    SUPPLEMENT = "supplement", _("Hồ sơ bổ sung")
    RESULT = "result", _("Kết quả giải quyết")


class DossierFile(models.Model):
    """An uploaded document, stored privately and served only through access-checked views."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="files")
    component = models.ForeignKey(DossierComponent, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("thành phần hồ sơ"))
    component_name = models.CharField(_("tên thành phần"), max_length=500, blank=True)
    kind = models.CharField(_("loại"), max_length=16, choices=DossierFileKind.choices,
                            default=DossierFileKind.APPLICATION)
    supplement_request = models.ForeignKey("SupplementRequest", on_delete=models.SET_NULL, null=True, blank=True,
                                           related_name="files")
    file = models.FileField(_("tệp"), upload_to=dossier_file_path, max_length=255)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(_("kiểu tệp"), max_length=100)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))
    uploaded_at = models.DateTimeField(_("ngày tải lên"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")

    def __str__(self):
        return self.original_name


class AppendOnlyError(Exception):
    pass


class DossierEvent(models.Model):
    """One entry of the dossier's history (lịch sử xử lý). Never edited, never deleted."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("người thực hiện"))
    actor_kind = models.CharField(_("bên thực hiện"), max_length=10, choices=Actor.choices)
    action = models.CharField(_("thao tác"), max_length=32)
    from_status = models.CharField(_("từ trạng thái"), max_length=32, choices=DossierStatus.choices, blank=True)
    to_status = models.CharField(_("sang trạng thái"), max_length=32, choices=DossierStatus.choices)
    # Shown to the citizen (a refusal's reason); the internal note never leaves the back office.
    public_note = models.TextField(_("nội dung thông báo cho công dân"), blank=True)
    internal_note = models.TextField(_("ghi chú nội bộ"), blank=True)
    appointment_date = models.DateField(_("ngày hẹn trả"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("lịch sử xử lý")
        verbose_name_plural = _("lịch sử xử lý")

    def __str__(self):
        return f"{self.dossier_id}: {self.from_status} → {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("dossier history is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("dossier history is append-only")


class SupplementRequest(models.Model):
    """A clerk's request for missing documents; the citizen answers it once through a secret link."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="supplement_requests")
    reason = models.TextField(_("lý do"))
    missing_items = models.TextField(_("giấy tờ cần bổ sung"), help_text=_("Mỗi dòng một giấy tờ."))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                     related_name="+", verbose_name=_("người yêu cầu"))
    created_at = models.DateTimeField(_("ngày yêu cầu"), default=timezone.now)
    expires_at = models.DateTimeField(_("hạn bổ sung"))
    fulfilled_at = models.DateTimeField(_("ngày bổ sung"), null=True, blank=True)
    citizen_note = models.TextField(_("ghi chú của công dân"), blank=True)
    # Part of the signed link: a fresh secret per request, so links of other requests never match.
    secret = models.CharField(max_length=64, default="", editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("yêu cầu bổ sung")
        verbose_name_plural = _("yêu cầu bổ sung")

    def __str__(self):
        return f"{self.dossier.code}: {self.reason[:40]}"

    @property
    def missing_item_list(self):
        return [line.strip() for line in self.missing_items.splitlines() if line.strip()]


class DossierCodeSequence(models.Model):
    """The last number given out per agency per day, for ``…-YYMMDD-XXXX`` dossier codes.

    Incremented under a row lock inside the dossier's own transaction, so parallel
    submissions never share a number and a failed one gives its number back.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="dossier_code_sequence_unique")]

    def __str__(self):
        return f"{self.agency_id} {self.day:%y%m%d}: {self.last_number}"


# --- Working-day calendar (back office) ------------------------------------------------------


class DayOffKind(models.TextChoices):
    DAY_OFF = "day_off", _("Ngày nghỉ (nghỉ bù, nghỉ thêm)")
    WORKING_DAY = "working_day", _("Ngày làm việc bù")


class DayOffOverride(models.Model):
    """A day the government's yearly announcement changes: an extra day off, or a Saturday worked instead.

    Overrides the weekends and the ``holidays`` library's Vietnam calendar in
    ``dossiers.deadlines``; entered by an administrator.
    """

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=16, choices=DayOffKind.choices, default=DayOffKind.DAY_OFF)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True,
                            help_text=_("Ví dụ: Nghỉ bù dịp Tết Nguyên đán theo thông báo của Bộ Nội vụ."))

    class Meta:
        ordering = ["-date"]
        verbose_name = _("ngày nghỉ, làm bù")
        verbose_name_plural = _("ngày nghỉ, làm bù")

    def __str__(self):
        return f"{self.date:%d/%m/%Y} – {self.get_kind_display()}"


# --- Filing wizard (issue 4) ---------------------------------------------------------------------

def default_draft_expiry():
    return timezone.now() + timedelta(hours=settings.WIZARD_DRAFT_HOURS)


class FilingDraft(models.Model):
    """The server-side state of one filing wizard: what the citizen typed and uploaded so far.

    Each step stores what was posted as soon as it is posted (valid or not), and every
    upload is stored at once, so a refresh, the back button or a failed request loses
    nothing. The browser only holds the draft's token in its session. ``submission_token``
    becomes ``Dossier.submission_token``: submitting the same draft twice finds the same
    dossier. Expired drafts are removed by ``filing.tasks.delete_expired_drafts``.
    """

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("thủ tục"))
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                               verbose_name=_("cơ quan tiếp nhận"))
    # Per step, the values last posted: {"declaration": {...}, ...}; validated again on submission.
    data = models.JSONField(default=dict, blank=True)
    submission_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.OneToOneField(Dossier, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(default=default_draft_expiry, db_index=True)

    class Meta:
        verbose_name = _("hồ sơ đang khai")
        verbose_name_plural = _("hồ sơ đang khai")

    def __str__(self):
        return f"{self.procedure_id}: {self.token}"


class FilingDraftFile(models.Model):
    """A document uploaded in the wizard; on submission its stored file becomes a ``DossierFile``."""

    draft = models.ForeignKey(FilingDraft, on_delete=models.CASCADE, related_name="files")
    component = models.ForeignKey(DossierComponent, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to=dossier_file_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


# --- Satisfaction rating (issue 7: lookup, supplements, rating) ------------------------------------


class RatingScore(models.TextChoices):
    SATISFIED = "satisfied", _("Hài lòng")
    ACCEPTABLE = "acceptable", _("Chấp nhận được")
    NOT_SATISFIED = "not_satisfied", _("Không hài lòng")


class Rating(models.Model):
    """The applicant's satisfaction with how one dossier was settled; at most one per dossier."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="rating",
                                   verbose_name=_("hồ sơ"))
    score = models.CharField(_("mức độ hài lòng"), max_length=16, choices=RatingScore.choices)
    comment = models.TextField(_("góp ý"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("ngày đánh giá"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("đánh giá mức độ hài lòng")
        verbose_name_plural = _("đánh giá mức độ hài lòng")

    def __str__(self):
        return f"{self.dossier_id}: {self.get_score_display()}"
