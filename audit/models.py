"""The audit trail (nhật ký kiểm tra): who changed what in the back office, and who looked at a
citizen's personal data or files. Append-only: entries are written, never changed or deleted
(``save`` and ``delete`` refuse, and on PostgreSQL a trigger refuses too, see ``storage.py``).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("Thêm mới")
    UPDATE = "update", _("Sửa")
    DELETE = "delete", _("Xóa")
    VIEW = "view", _("Xem dữ liệu cá nhân")
    DOWNLOAD = "download", _("Tải tệp")
    # A slip or receipt naming the citizen, printed or downloaded as PDF.
    PRINT = "print", _("In phiếu")
    # The dossier list as a file: what was exported (format, filters, rows) is in ``changes``.
    EXPORT = "export", _("Xuất danh sách")


class AppendOnly(Exception):
    """An audit entry cannot be changed or deleted."""


class AuditEntry(models.Model):
    at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)
    # No database constraint and no cascade: deleting a user, an agency or a model type must
    # neither delete nor touch the entries that tell what they did.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người thực hiện"), null=True,
                              blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    actor_username = models.CharField(_("tên đăng nhập"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    action = models.CharField(_("thao tác"), max_length=10, choices=AuditAction.choices)
    content_type = models.ForeignKey(ContentType, verbose_name=_("loại dữ liệu"), null=True, blank=True,
                                     on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    object_repr = models.CharField(_("đối tượng"), max_length=300, blank=True)
    # The agency the object belongs to: its leader sees the entry.
    agency = models.ForeignKey("procedures.Agency", verbose_name=_("cơ quan"), null=True, blank=True,
                               on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    # {field: [old, new]} for a change; {field: value} for a creation or a deletion.
    changes = models.JSONField(_("thay đổi"), default=dict, blank=True)
    detail = models.CharField(_("chi tiết"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("mục nhật ký kiểm tra")
        verbose_name_plural = _("nhật ký kiểm tra")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["agency", "-at"], name="audit_agency_at"),
                   models.Index(fields=["content_type", "object_id"], name="audit_object")]
        default_permissions = ("view",)
        permissions = [("export_auditentry", _("Xuất nhật ký kiểm tra"))]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_username} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly(self.pk)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly(self.pk)
