"""Helpers of the back-office tests: agencies with their clerks, dossiers filed and moved by the services."""

import datetime
import zoneinfo

from django.utils import timezone

from dossiers import services
from dossiers.roles import AGENCY_LEADER, RECEPTION_CLERK, SPECIALIST, ensure_groups
from dossiers.workflow import Actor, Event
from tests.factories import AgencyFactory, DossierFactory, ProcedureFactory, UserFactory

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def at(year, month, day, hour=9, minute=0):
    """An aware instant in Hà Nội."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=HANOI)


def staff(agency, group=RECEPTION_CLERK, **fields):
    """A staff member of ``agency`` in one of the back office's groups."""
    user = UserFactory(**fields)
    user.groups.add(ensure_groups()[group])
    agency.staff.add(user)
    return user


def clerk(agency, **fields):
    return staff(agency, RECEPTION_CLERK, **fields)


def specialist(agency, **fields):
    return staff(agency, SPECIALIST, **fields)


def leader(agency, **fields):
    return staff(agency, AGENCY_LEADER, **fields)


def agency_with_procedure(processing_days=3, **procedure_fields):
    agency = AgencyFactory()
    procedure = ProcedureFactory(agencies=[agency], processing_days=processing_days, **procedure_fields)
    return agency, procedure


def filed(procedure=None, agency=None, **fields):
    """A dossier as the wizard leaves it: registered online, with its first history entry."""
    if procedure is None:
        agency, procedure = agency_with_procedure()
    fields.setdefault("submitted_at", timezone.now())
    dossier = DossierFactory(procedure=procedure, agency=agency or procedure.agencies.first(), **fields)
    services.record_event(dossier, action="register", from_status="", actor_kind=Actor.CITIZEN,
                          event=Event.REGISTERED)
    return dossier
