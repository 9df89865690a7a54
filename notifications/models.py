"""The outbox: one row per message per channel, written in the transaction of the event it tells.

A row moves ``pending`` → ``sending`` (claimed by one worker under a lease) → ``queued``
(the SMS provider accepted it) or ``sent`` (the mail server accepted it) → ``delivered`` /
``undelivered`` / ``failed`` (delivery receipts). A temporary failure puts it back to
``pending`` with ``next_attempt_at``; a permanent one ends in ``failed``. A row still unsent
``NOTIFICATIONS_GIVE_UP_HOURS`` after it was written ends in ``technical_failure``.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.workflow import Event

from .text_engine import TemplateSyntaxProblem, check_template_syntax

# The one message that belongs to a draft, not a dossier: the secret link that resumes a
# draft saved with "Lưu và tiếp tục sau" (sent on the citizen's request, rate-limited).
RESUME_LINK = "resume_link"
EVENT_CHOICES = [*Event.choices, (RESUME_LINK, _("Đường dẫn tiếp tục khai hồ sơ"))]


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Thư điện tử")


class Language(models.TextChoices):
    VI = "vi", _("Tiếng Việt")
    EN = "en", _("English")


class MessageTemplate(models.Model):
    """The text of one event's message on one channel in one language, editable by an administrator.

    Overrides the default shipped in ``notifications.defaults``; without a row the default is used.
    """

    event = models.CharField(_("sự kiện"), max_length=32, choices=EVENT_CHOICES)
    channel = models.CharField(_("kênh"), max_length=8, choices=Channel.choices)
    language = models.CharField(_("ngôn ngữ"), max_length=8, choices=Language.choices, default=Language.VI)
    subject = models.CharField(_("tiêu đề (thư điện tử)"), max_length=255, blank=True)
    body = models.TextField(
        _("nội dung"),
        help_text=_("Cú pháp mẫu Django, ví dụ {{ ma_ho_so }}. Các biến dùng được liệt kê bên dưới."),
    )
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)

    class Meta:
        ordering = ["event", "channel", "language"]
        verbose_name = _("mẫu tin nhắn")
        verbose_name_plural = _("mẫu tin nhắn")
        constraints = [
            models.UniqueConstraint(fields=["event", "channel", "language"], name="message_template_unique"),
        ]

    def __str__(self):
        return f"{self.get_event_display()} / {self.get_channel_display()} / {self.language}"

    def clean(self):
        try:
            check_template_syntax(self.subject)
            check_template_syntax(self.body)
        except TemplateSyntaxProblem as problem:
            raise ValidationError({"body": str(problem)}) from None


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    QUEUED = "queued", _("Nhà mạng đã nhận")
    SENT = "sent", _("Đã gửi")
    DELIVERED = "delivered", _("Đã đến người nhận")
    UNDELIVERED = "undelivered", _("Không đến được người nhận")
    FAILED = "failed", _("Gửi lỗi")
    # Still unsent (pending, retried or abandoned mid-send) NOTIFICATIONS_GIVE_UP_HOURS after it
    # was written: the outbox stops trying and an operator decides (GOV.UK Notify's "technical-failure").
    TECHNICAL_FAILURE = "technical_failure", _("Lỗi kỹ thuật (quá hạn gửi)")


# How far along a row is; a delivery receipt never moves a row backwards
# (Twilio may post "sent" after "delivered").
STATUS_RANK = {
    NotificationStatus.PENDING: 0,
    NotificationStatus.SENDING: 1,
    NotificationStatus.QUEUED: 2,
    NotificationStatus.SENT: 3,
    NotificationStatus.DELIVERED: 4,
    NotificationStatus.UNDELIVERED: 4,
    NotificationStatus.FAILED: 4,
    NotificationStatus.TECHNICAL_FAILURE: 4,
}


class Notification(models.Model):
    """One message on one channel for one dossier event, or for one draft (an outbox row).

    A row belongs to exactly one of a dossier (its events) or a filing draft (the resume
    link, ``RESUME_LINK``); a draft's rows go when the draft does.
    """

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="notifications",
                                verbose_name=_("hồ sơ"), null=True, blank=True)
    draft = models.ForeignKey("dossiers.FilingDraft", on_delete=models.CASCADE, related_name="notifications",
                              verbose_name=_("hồ sơ đang khai"), null=True, blank=True)
    event = models.CharField(_("sự kiện"), max_length=32, choices=EVENT_CHOICES)
    channel = models.CharField(_("kênh"), max_length=8, choices=Channel.choices)
    language = models.CharField(_("ngôn ngữ"), max_length=8, default="vi")
    recipient = models.CharField(_("người nhận"), max_length=255)
    # Values the template needs that are not on the dossier (reason, secret links …).
    context = models.JSONField(default=dict, blank=True)
    subject = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    body = models.TextField(_("nội dung"), blank=True)
    body_html = models.TextField(_("nội dung HTML"), blank=True)
    segments = models.PositiveSmallIntegerField(_("số tin SMS"), null=True, blank=True)
    status = models.CharField(_("trạng thái"), max_length=20, choices=NotificationStatus.choices,
                              default=NotificationStatus.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    provider_id = models.CharField(_("mã của nhà cung cấp"), max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now, db_index=True)
    # A temporary failure sets when the next attempt is due; empty means "now".
    next_attempt_at = models.DateTimeField(_("gửi lại lúc"), null=True, blank=True)
    # A worker that claimed the row owns it until then; past it, the row is claimable again.
    lease_expires_at = models.DateTimeField(_("hết hạn giữ"), null=True, blank=True, editable=False)
    # When the current attempt began: a reclaimed row asks the provider whether that
    # attempt already got through before sending again.
    attempt_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("đến nơi lúc"), null=True, blank=True)
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tin nhắn, thư")
        verbose_name_plural = _("tin nhắn, thư")
        indexes = [
            # The sweep's lookup paths.
            models.Index(fields=["status", "next_attempt_at"], name="notification_due"),
            models.Index(fields=["status", "lease_expires_at"], name="notification_lease"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(dossier__isnull=False, draft__isnull=True)
                           | models.Q(dossier__isnull=True, draft__isnull=False)),
                name="notification_dossier_xor_draft"),
            # Only the resume link belongs to a draft.
            models.CheckConstraint(condition=models.Q(draft__isnull=True) | models.Q(event=RESUME_LINK),
                                   name="notification_draft_resume_link"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.recipient} ({self.get_event_display()})"
