"""The back office's groups (reception clerks, specialists, agency leaders) and their permissions.

Interim version; the back-office issue completes the permissions.
"""

from django.contrib.auth.models import Group

RECEPTION_CLERK = "Cán bộ một cửa"
SPECIALIST = "Chuyên viên xử lý"
AGENCY_LEADER = "Lãnh đạo cơ quan"


def ensure_groups():
    """Create the three groups if missing; return them by name."""
    return {name: Group.objects.get_or_create(name=name)[0] for name in (RECEPTION_CLERK, SPECIALIST, AGENCY_LEADER)}
