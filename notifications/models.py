"""The outbox: one row per message per channel, written in the transaction of the event it tells."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.workflow import Event


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Thư điện tử")


class MessageTemplate(models.Model):
    """The text of one event's message on one channel in one language, editable by an administrator."""

    event = models.CharField(_("sự kiện"), max_length=32, choices=Event.choices)
    channel = models.CharField(_("kênh"), max_length=8, choices=Channel.choices)
    language = models.CharField(_("ngôn ngữ"), max_length=8, default="vi")
    subject = models.CharField(_("tiêu đề (thư điện tử)"), max_length=255, blank=True)
    body = models.TextField(_("nội dung"))

    class Meta:
        ordering = ["event", "channel", "language"]
        verbose_name = _("mẫu tin nhắn")
        verbose_name_plural = _("mẫu tin nhắn")
        constraints = [
            models.UniqueConstraint(fields=["event", "channel", "language"], name="message_template_unique"),
        ]

    def __str__(self):
        return f"{self.get_event_display()} / {self.get_channel_display()} / {self.language}"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    QUEUED = "queued", _("Nhà mạng đã nhận")
    DELIVERED = "delivered", _("Đã đến người nhận")
    UNDELIVERED = "undelivered", _("Không đến được người nhận")
    FAILED = "failed", _("Gửi lỗi")


class Notification(models.Model):
    """One message on one channel for one dossier event (an outbox row)."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="notifications",
                                verbose_name=_("hồ sơ"))
    event = models.CharField(_("sự kiện"), max_length=32, choices=Event.choices)
    channel = models.CharField(_("kênh"), max_length=8, choices=Channel.choices)
    language = models.CharField(_("ngôn ngữ"), max_length=8, default="vi")
    recipient = models.CharField(_("người nhận"), max_length=255)
    # Values the template needs that are not on the dossier (reason, secret links …).
    context = models.JSONField(default=dict, blank=True)
    subject = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    body = models.TextField(_("nội dung"), blank=True)
    segments = models.PositiveSmallIntegerField(_("số tin SMS"), null=True, blank=True)
    status = models.CharField(_("trạng thái"), max_length=16, choices=NotificationStatus.choices,
                              default=NotificationStatus.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    provider_id = models.CharField(_("mã của nhà cung cấp"), max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tin nhắn, thư")
        verbose_name_plural = _("tin nhắn, thư")

    def __str__(self):
        return f"{self.get_channel_display()} → {self.recipient} ({self.get_event_display()})"
