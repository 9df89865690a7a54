"""The signing app's hook into the core: ``dossiers.signals.result_file_stored``."""

from . import services


def sign_stored_result(sender, *, dossier, result_file, **kwargs):
    """Number the result document and sign it when it is a PDF (in ``record_result``'s transaction)."""
    services.register_result(dossier=dossier, result_file=result_file)
