"""Dossiers with a known history for the statistics tests, moved by the core's services at given instants."""

import datetime
import zoneinfo

from dossiers import services
from dossiers.models import Dossier, DossierEvent
from dossiers.workflow import Actor, Event
from tests.factories import DossierFactory, UserFactory

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def at(year, month, day, hour=9):
    return datetime.datetime(year, month, day, hour, tzinfo=HANOI)


def dossier_at(agency, procedure, *, submitted, channel="online", **fields):
    dossier = DossierFactory(agency=agency, procedure=procedure, submitted_at=submitted, channel=channel, **fields)
    services.record_event(dossier, action="register", from_status="", actor_kind=Actor.CITIZEN, event=Event.REGISTERED)
    _date_last_event(dossier, submitted)
    return dossier


def _date_last_event(dossier, when):
    last = DossierEvent.objects.filter(dossier=dossier).order_by("-id").first()
    DossierEvent.objects.filter(pk=last.pk).update(created_at=when)


def clerk_for(agency):
    clerk = UserFactory()
    agency.staff.add(clerk)
    return clerk


def receive(dossier, when, appointment):
    clerk = clerk_for(dossier.agency)
    services.receive_dossier(dossier=dossier, actor=clerk, at=when)
    # The appointment the test wants, whatever the working-day calendar says.
    Dossier.objects.filter(pk=dossier.pk).update(appointment_date=appointment)
    dossier.refresh_from_db()
    _date_last_event(dossier, when)
    return clerk


def resolve(dossier, when, clerk):
    services.assign_dossier(dossier=dossier, actor=clerk, specialist=clerk)
    services.record_result(dossier=dossier, actor=clerk, note="Đã có kết quả.", at=when)
    _date_last_event(dossier, when)


def refuse(dossier, when):
    services.refuse_dossier(dossier=dossier, actor=clerk_for(dossier.agency), reason="Không đủ điều kiện.")
    _date_last_event(dossier, when)


def withdraw(dossier, when):
    services.withdraw_dossier(dossier=dossier, reason="Tôi nộp nhầm thủ tục.")
    _date_last_event(dossier, when)
