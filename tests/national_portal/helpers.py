"""A dossier's life through the core's services, for the sync tests."""

from django.utils import timezone

from dossiers import services
from dossiers.workflow import Actor, Event
from tests.factories import DossierFactory, FeeFactory, ProcedureFactory, UserFactory


def clerk_of(agency):
    clerk = UserFactory(first_name="Lan", last_name="Trần Thị")
    agency.staff.add(clerk)
    return clerk


def file_dossier(**fields):
    procedure = ProcedureFactory()
    FeeFactory(procedure=procedure)
    fields.setdefault("submitted_at", timezone.now())
    fields.setdefault("fee_name", "Lệ phí")
    fields.setdefault("fee_amount", 50000)
    dossier = DossierFactory(procedure=procedure, **fields)
    services.record_event(dossier, action="register", from_status="", actor_kind=Actor.CITIZEN, event=Event.REGISTERED)
    return dossier


def through_to_returned(dossier):
    clerk = clerk_of(dossier.agency)
    services.receive_dossier(dossier=dossier, actor=clerk)
    services.assign_dossier(dossier=dossier, actor=clerk, specialist=clerk)
    services.record_result(dossier=dossier, actor=clerk, note="Đã cấp giấy khai sinh.")
    services.return_result(dossier=dossier, actor=clerk)
    return clerk
