"""What a signed-in citizen's filing records about the account."""

from .models import FiledByAccount


def record_filed_by(dossier, identity):
    """Link ``dossier`` to the account that filed it; call it in the filing's transaction. Idempotent."""
    FiledByAccount.objects.get_or_create(dossier=dossier, defaults={
        "subject": identity.subject, "account_type": identity.account_type,
    })
