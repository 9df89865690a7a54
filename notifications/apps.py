from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Thông báo SMS và thư điện tử")

    def ready(self):
        # Connects the receiver that writes the outbox rows of each recorded dossier event.
        from . import services  # noqa: F401
