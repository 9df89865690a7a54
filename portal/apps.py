from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalConfig(AppConfig):
    default = True  # "portal" in INSTALLED_APPS; PortalAdminConfig below is listed by its full path
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deployment checks)


class PortalAdminConfig(admin_apps.AdminConfig):
    """Replaces ``django.contrib.admin`` in INSTALLED_APPS: ``admin.site`` is then the back office's
    ``PortalAdminSite``, with the two-factor sign-in (``portal/staff_auth.py``)."""

    default = False
    default_site = "portal.staff_auth.PortalAdminSite"
