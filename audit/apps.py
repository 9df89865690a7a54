from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Nhật ký kiểm tra")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import recorder, storage

        recorder.connect()
        # After every migrate (and the test suite's table creation): the database refuses to
        # change or delete an entry, whatever the code above it does.
        post_migrate.connect(storage.forbid_changes, sender=self)
