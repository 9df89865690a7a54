from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NationalPortalConfig(AppConfig):
    name = "national_portal"
    verbose_name = _("Đồng bộ Cổng Dịch vụ công quốc gia")

    def ready(self):
        from dossiers.signals import history_recorded, personal_data_removed

        from . import receivers

        history_recorded.connect(receivers.record_step, dispatch_uid="national_portal.record_step")
        personal_data_removed.connect(receivers.forget_personal_data,
                                      dispatch_uid="national_portal.forget_personal_data")
