from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EsignConfig(AppConfig):
    name = "esign"
    verbose_name = _("Kết quả điện tử có chữ ký số")

    def ready(self):
        from dossiers.signals import result_file_stored

        from . import receivers

        result_file_stored.connect(receivers.sign_stored_result, dispatch_uid="esign.sign_stored_result")
