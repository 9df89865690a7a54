"""The sync's hook into the core: ``dossiers.signals.history_recorded``."""

from . import services


def record_step(sender, *, dossier, entry, **kwargs):
    """Write the sync row of a history entry, in the transaction of the change."""
    services.record_step(dossier=dossier, entry=entry)


def forget_personal_data(sender, *, dossier, **kwargs):
    """The dossier was anonymised: its stored payloads forget the applicant too."""
    services.forget_personal_data(dossier=dossier)
