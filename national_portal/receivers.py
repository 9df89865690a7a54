"""The sync's hook into the core: ``dossiers.signals.history_recorded``."""

from . import services


def record_step(sender, *, dossier, entry, **kwargs):
    """Write the sync row of a history entry, in the transaction of the change."""
    services.record_step(dossier=dossier, entry=entry)
