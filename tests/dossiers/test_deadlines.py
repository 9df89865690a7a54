"""Working days, the cut-off hour, holidays (Tết 2027), administrators' overrides and the supplement clock."""

import datetime

import pytest

from dossiers import deadlines, services
from dossiers.models import DayOffKind, DayOffOverride
from dossiers.workflow import DossierStatus
from tests.backoffice.helpers import agency_with_procedure, at, clerk, filed

pytestmark = pytest.mark.django_db
D = datetime.date


def test_the_library_knows_tet_2027():
    calendar = deadlines.WorkingCalendar()
    # Lunar New Year 2027 falls on Saturday 6 February; the days off run Thursday 4 – Wednesday 10.
    for day in range(4, 11):
        assert not calendar.is_working_day(D(2027, 2, day)), day
    assert calendar.is_working_day(D(2027, 2, 3))
    assert calendar.is_working_day(D(2027, 2, 11))


def test_weekends_do_not_count():
    assert deadlines.working_days_after(at(2027, 1, 8, 9), 2) == D(2027, 1, 12)     # Fri → Tue
    assert deadlines.working_days_after(at(2027, 1, 9, 10), 2) == D(2027, 1, 13)    # received on Saturday
    assert deadlines.working_days_between(D(2027, 1, 8), D(2027, 1, 12)) == 2
    assert deadlines.working_days_between(D(2027, 1, 12), D(2027, 1, 8)) == -2


def test_tet_2027_does_not_count():
    assert deadlines.working_days_after(at(2027, 2, 3, 9), 3) == D(2027, 2, 15)
    assert deadlines.working_days_between(D(2027, 2, 3), D(2027, 2, 15)) == 3


def test_hung_kings_day_does_not_count():
    assert deadlines.working_days_after(at(2027, 4, 15, 9), 1) == D(2027, 4, 19)


def test_cut_off_hour_counts_from_the_next_working_day(settings):
    assert settings.RECEPTION_CUTOFF_HOUR == 15
    assert deadlines.working_days_after(at(2027, 2, 3, 14, 59), 3) == D(2027, 2, 15)
    assert deadlines.working_days_after(at(2027, 2, 3, 15, 0), 3) == D(2027, 2, 16)
    assert deadlines.working_days_after(at(2027, 1, 8, 16), 2) == D(2027, 1, 13)    # Friday afternoon
    # "Same day" procedures: after the cut-off, the next working day.
    assert deadlines.working_days_after(at(2027, 1, 8, 9), 0) == D(2027, 1, 8)
    assert deadlines.working_days_after(at(2027, 1, 8, 16), 0) == D(2027, 1, 11)
    settings.RECEPTION_CUTOFF_HOUR = 12
    assert deadlines.working_days_after(at(2027, 1, 8, 13), 0) == D(2027, 1, 11)


def test_compensatory_working_day_and_extra_day_off_added_by_an_administrator():
    DayOffOverride.objects.create(date=D(2027, 2, 13), kind=DayOffKind.WORKING_DAY, note="Làm bù cho 12/2")
    assert deadlines.working_days_after(at(2027, 2, 3, 9), 3) == D(2027, 2, 13)     # Thu 11, Fri 12, Sat 13
    DayOffOverride.objects.create(date=D(2027, 2, 11), kind=DayOffKind.DAY_OFF, note="Nghỉ bù")
    assert deadlines.working_days_after(at(2027, 2, 3, 9), 3) == D(2027, 2, 15)     # Fri 12, Sat 13, Mon 15


def test_the_admin_can_add_an_override(client):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("quantri", password="mat-khau-rat-dai-2027!")
    client.force_login(admin)
    response = client.post("/quan-tri/dossiers/dayoffoverride/add/",
                           {"date": "2027-02-13", "kind": "working_day", "note": "Làm bù"})
    assert response.status_code == 302
    assert deadlines.WorkingCalendar().is_working_day(D(2027, 2, 13))


def test_reception_sets_the_appointment_date():
    agency, procedure = agency_with_procedure(processing_days=3)
    dossier = filed(procedure, agency)
    services.receive_dossier(dossier=dossier, actor=clerk(agency), at=at(2027, 2, 3, 16))
    dossier.refresh_from_db()
    assert dossier.appointment_date == D(2027, 2, 16)
    assert dossier.received_at == at(2027, 2, 3, 16)


def _received_dossier():
    """Received Monday 11 January 2027 at 9:00, five working days: due Monday 18 January."""
    agency, procedure = agency_with_procedure(processing_days=5)
    dossier = filed(procedure, agency)
    user = clerk(agency)
    services.receive_dossier(dossier=dossier, actor=user, at=at(2027, 1, 11, 9))
    dossier.refresh_from_db()
    assert dossier.appointment_date == D(2027, 1, 18)
    return dossier, user


def test_supplement_stops_and_restarts_the_clock():
    dossier, user = _received_dossier()
    services.request_supplement(dossier=dossier, actor=user, reason="Thiếu", missing_items=["Ảnh"],
                                at=at(2027, 1, 13, 10))
    dossier.refresh_from_db()
    assert dossier.remaining_working_days == 3     # Thu 14, Fri 15, Mon 18 were still to come
    # The citizen supplements on Monday 25 January: three working days from then.
    assert deadlines.restart_clock(dossier, at(2027, 1, 25, 9)) == D(2027, 1, 28)
    services.apply_transition(dossier, "supplement")
    dossier.refresh_from_db()
    assert (dossier.appointment_date, dossier.remaining_working_days) == (D(2027, 1, 28), None)
    assert dossier.events.last().appointment_date == D(2027, 1, 28)
    assert deadlines.restart_clock(dossier, at(2027, 1, 26, 9)) == D(2027, 1, 28)   # idempotent
    # Received again: the restarted clock is kept, so is the first reception time.
    services.receive_dossier(dossier=dossier, actor=user, at=at(2027, 1, 26, 9))
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RECEIVED
    assert dossier.appointment_date == D(2027, 1, 28)
    assert dossier.received_at == at(2027, 1, 11, 9)


def test_reception_restarts_a_clock_nobody_restarted():
    dossier, user = _received_dossier()
    services.request_supplement(dossier=dossier, actor=user, reason="Thiếu", missing_items=["Ảnh"],
                                at=at(2027, 1, 13, 10))
    services.apply_transition(dossier, "supplement")
    services.receive_dossier(dossier=dossier, actor=user, at=at(2027, 1, 26, 9))
    dossier.refresh_from_db()
    assert dossier.appointment_date == D(2027, 1, 29)      # Wed 27, Thu 28, Fri 29
    assert dossier.remaining_working_days is None


def test_supplement_before_reception_leaves_the_full_clock_for_reception():
    agency, procedure = agency_with_procedure(processing_days=2)
    dossier = filed(procedure, agency)
    user = clerk(agency)
    services.request_supplement(dossier=dossier, actor=user, reason="Thiếu", missing_items=["Ảnh"])
    dossier.refresh_from_db()
    assert dossier.remaining_working_days is None
    services.apply_transition(dossier, "supplement")
    services.receive_dossier(dossier=dossier, actor=user, at=at(2027, 1, 8, 9))
    dossier.refresh_from_db()
    assert dossier.appointment_date == D(2027, 1, 12)


def test_overdue_and_due_soon_selections(settings):
    settings.DUE_SOON_WORKING_DAYS = 2
    today = D(2027, 1, 11)
    agency, procedure = agency_with_procedure()
    late = filed(procedure, agency, status=DossierStatus.PROCESSING, appointment_date=D(2027, 1, 8))
    soon = filed(procedure, agency, status=DossierStatus.RECEIVED, appointment_date=D(2027, 1, 13))
    later = filed(procedure, agency, status=DossierStatus.RECEIVED, appointment_date=D(2027, 1, 14))
    filed(procedure, agency, status=DossierStatus.RETURNED, appointment_date=D(2027, 1, 4))   # done: not late
    from dossiers.models import Dossier

    everything = Dossier.objects.all()
    assert list(deadlines.overdue(everything, today)) == [late]
    assert list(deadlines.due_soon(everything, today=today)) == [soon]
    assert list(deadlines.on_time(everything, today=today)) == [later]
    assert deadlines.WorkingCalendar().days_left(D(2027, 1, 8), today) == -1
