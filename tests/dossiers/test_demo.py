"""The demo dossiers: every state, built through the services, for each agency with a demo clerk."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from dossiers.demo import seed_demo_dossiers
from dossiers.models import Dossier
from dossiers.roles import SPECIALIST
from dossiers.workflow import DossierStatus
from tests.backoffice.helpers import clerk
from tests.factories import AgencyFactory, ComponentFactory, FeeFactory, ProcedureFactory
from tests.filing.support import private_storage  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


def test_seed_demo_dossiers_covers_every_state_and_is_idempotent():
    agency = AgencyFactory()
    clerk(agency, username="canbo.phuong-demo")
    ComponentFactory(procedure=ProcedureFactory(agencies=[agency], service_level=3, processing_days=3))
    level4 = ProcedureFactory(agencies=[agency], service_level=4, processing_days=5)
    FeeFactory(procedure=level4, amount=50000)
    AgencyFactory()  # no clerk: no demo dossiers

    out = io.StringIO()
    created = seed_demo_dossiers(stdout=out)

    statuses = set(Dossier.objects.filter(agency=agency).values_list("status", flat=True))
    assert statuses == set(DossierStatus.values)
    assert Dossier.objects.count() == created
    assert agency.staff.filter(username="chuyenvien.phuong-demo").exists()
    assert agency.staff.filter(groups__name=SPECIALIST).exists()
    overdue = Dossier.objects.filter(status__in=[DossierStatus.RECEIVED, DossierStatus.PROCESSING],
                                     appointment_date__lt=timezone.localdate())
    assert overdue.exists()
    for dossier in Dossier.objects.all():
        events = list(dossier.events.all())
        assert events[0].action == "register"
        assert events[-1].to_status == dossier.status
        assert dossier.code.startswith(agency.identifier_code)
    assert seed_demo_dossiers() == 0


def test_seed_demo_command_gives_every_demo_clerk_dossiers_to_work_on():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Hồ sơ mẫu" in out.getvalue()
    from procedures.models import Agency

    with_clerks = Agency.objects.filter(staff__username__startswith="canbo.").distinct()
    worked = [agency for agency in with_clerks if agency.dossiers.exists()]
    assert worked, "no demo clerk got dossiers"
    for agency in worked:
        statuses = set(agency.dossiers.values_list("status", flat=True))
        assert {DossierStatus.REGISTERED, DossierStatus.RECEIVED, DossierStatus.PROCESSING,
                DossierStatus.RETURNED} <= statuses
