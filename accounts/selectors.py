"""The dossiers a signed-in citizen or organisation sees under "Hồ sơ của tôi"."""

from django.db.models import Q

from dossiers.models import Dossier


def dossiers_of(identity):
    """Dossiers filed under this account or naming it: its ID number (a citizen) or tax code (an organisation).

    Newest first, with what the list shows joined in.
    """
    mine = Q(filed_by_account__subject=identity.subject)
    if identity.is_organisation:
        if identity.tax_code:
            mine |= Q(organisation_tax_code=identity.tax_code)
    elif identity.id_number:
        mine |= Q(applicant_id_number=identity.id_number)
    return (Dossier.objects.filter(mine).select_related("procedure", "agency")
            .prefetch_related("supplement_requests").order_by("-submitted_at"))
