"""The back office's groups (reception clerks, specialists, agency leaders) and what each may do.

Which dossiers a member sees is a separate question, answered by ``Agency.staff``
(``visible_dossiers``): a clerk sees only the dossiers of the agencies they belong to,
unless they are a superuser or hold ``dossiers.view_all_agencies``.

Which transitions a member may apply is ``ACTION_PERMISSIONS``: one of the listed
permissions is enough.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from procedures.models import Agency

RECEPTION_CLERK = "Cán bộ một cửa"
SPECIALIST = "Chuyên viên xử lý"
AGENCY_LEADER = "Lãnh đạo cơ quan"

PROCESS = "dossiers.process_dossier"    # the one-stop shop: receive, supplement, refuse, assign, return …
SETTLE = "dossiers.settle_dossier"      # the specialist: record the result
STOP = "dossiers.stop_dossier"          # the leader: stop processing
VIEW_ALL = "dossiers.view_all_agencies"

ACTION_PERMISSIONS = {
    "exempt_payment": {PROCESS},
    "receive": {PROCESS},
    "request_supplement": {PROCESS, SETTLE},
    "refuse": {PROCESS, SETTLE},
    "assign": {PROCESS},
    "record_result": {SETTLE},
    "return_result": {PROCESS},
    "dispatch": {PROCESS},
    "deliver": {PROCESS},
    "stop": {STOP},
    "withdraw": {PROCESS},
    "apologise": {PROCESS, SETTLE},
}

_COMMON = [
    "dossiers.view_dossier", "dossiers.view_dossierevent", "dossiers.view_supplementrequest",
    "dossiers.view_dayoffoverride", "procedures.view_procedure", "procedures.view_agency",
    # The message log, narrowed to their agencies' dossiers like the dossiers themselves.
    "notifications.view_notification",
]
_PAYMENTS = ["payments.view_payment", "payments.reconcile_payments", "payments.record_in_person_payment"]
GROUP_PERMISSIONS = {
    RECEPTION_CLERK: [*_COMMON, *_PAYMENTS, PROCESS],
    SPECIALIST: [*_COMMON, SETTLE],
    AGENCY_LEADER: [*_COMMON, *_PAYMENTS, PROCESS, SETTLE, STOP],
}


def _permissions(names):
    query = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    return list(Permission.objects.filter(query))


def ensure_groups():
    """Create the three groups if missing, give them their permissions; return them by name.

    Idempotent (run by ``seed_demo`` and after deployment); permissions an administrator
    added to a group by hand are kept.
    """
    groups = {}
    for name, permission_names in GROUP_PERMISSIONS.items():
        group = Group.objects.get_or_create(name=name)[0]
        group.permissions.add(*_permissions(permission_names))
        groups[name] = group
    return groups


def sees_all_agencies(user):
    return user.is_active and (user.is_superuser or user.has_perm(VIEW_ALL))


def visible_agencies(user):
    """The agencies whose data ``user`` may see: all, or those they are staff of (none if signed out)."""
    if not user.is_authenticated or not user.is_active:
        return Agency.objects.none()
    return Agency.objects.all() if sees_all_agencies(user) else Agency.objects.filter(staff=user)


def visible_to(queryset, user, *, agency_path="agency"):
    """``queryset`` narrowed to the rows of ``user``'s agencies (all of them, if they see all).

    ``agency_path`` leads from the queryset's model to the agency: ``"agency"`` for a dossier,
    ``"dossier__agency"`` for a payment, an event, a message. The one scoping rule of the back
    office, its dossiers, their history and their payments alike.
    """
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if sees_all_agencies(user):
        return queryset
    return queryset.filter(**{f"{agency_path}__in": Agency.objects.filter(staff=user).values("pk")})


def visible_dossiers(queryset, user):
    """``queryset`` narrowed to the dossiers ``user`` may see (their agencies' only, unless they see all)."""
    return visible_to(queryset, user)


def may_apply(user, action):
    """Whether ``user`` holds a permission that allows the transition ``action``."""
    needed = ACTION_PERMISSIONS.get(action)
    return bool(needed) and user.is_active and any(user.has_perm(name) for name in needed)
