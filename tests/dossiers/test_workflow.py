"""The transition table, exercised through the back office's services: every allowed and every forbidden move."""

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dossiers import links, services
from dossiers.deadlines import WorkingCalendar
from dossiers.models import AppendOnlyError, DossierEvent, DossierFileKind, SupplementRequest
from dossiers.workflow import (
    NATIONAL_STATUS_CODE,
    TRANSITIONS,
    Actor,
    DossierStatus,
    TransitionNotAllowed,
)
from notifications.models import Notification
from tests.backoffice.helpers import PDF, agency_with_procedure, clerk, filed
from tests.factories import DossierFactory

pytestmark = pytest.mark.django_db


def _later_working_day(days=3):
    return WorkingCalendar().add_working_days(timezone.localdate(), days)


def _call(action, dossier, user):
    """Apply ``action`` the way the portal does: the back office's service, or the citizen's/system's move."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    calls = {
        "confirm_payment": lambda: services.apply_transition(dossier, "confirm_payment"),
        "exempt_payment": lambda: services.exempt_payment(dossier=dossier, actor=user, reason="Hộ nghèo"),
        "receive": lambda: services.receive_dossier(dossier=dossier, actor=user),
        "request_supplement": lambda: services.request_supplement(
            dossier=dossier, actor=user, reason="Thiếu giấy tờ", missing_items=["Bản sao CCCD"]),
        "supplement": lambda: services.apply_transition(dossier, "supplement"),
        "refuse": lambda: services.refuse_dossier(dossier=dossier, actor=user, reason="Không thuộc thẩm quyền"),
        "assign": lambda: services.assign_dossier(dossier=dossier, actor=user, specialist=user),
        "record_result": lambda: services.record_result(
            dossier=dossier, actor=user, note="Đã cấp giấy",
            result_file=SimpleUploadedFile("ket-qua.pdf", PDF, content_type="application/pdf")),
        "return_result": lambda: services.return_result(dossier=dossier, actor=user, method="in_person"),
        "dispatch": lambda: services.dispatch_result(dossier=dossier, actor=user, tracking_number="EB1VN"),
        "deliver": lambda: services.deliver_result(dossier=dossier, actor=user, originals_collected=True),
        "stop": lambda: services.stop_dossier(dossier=dossier, actor=user, reason="Điều 19 Nghị định 118"),
        "withdraw": lambda: services.withdraw_dossier(dossier=dossier, reason="Không cần nữa"),
        "apologise": lambda: services.issue_apology(dossier=dossier, actor=user, reason="Cần xác minh",
                                                    new_appointment_date=_later_working_day()),
    }
    return calls[action]()


def _dossier_in(status):
    agency, procedure = agency_with_procedure()
    user = clerk(agency)
    dossier = DossierFactory(procedure=procedure, agency=agency, status=status, received_at=timezone.now(),
                             appointment_date=timezone.localdate(), tracking_number="EB1VN")
    return dossier, user


def test_every_action_of_the_table_has_a_service():
    dossier, user = _dossier_in(DossierStatus.REGISTERED)
    for action in TRANSITIONS:  # an action without a service would raise KeyError, not the table's error
        try:
            _call(action, dossier, user)
        except (TransitionNotAllowed, ValidationError):
            pass
        dossier.refresh_from_db()
    assert dossier.status != DossierStatus.REGISTERED  # at least "receive" applied


ALLOWED = [(a, s) for a, s in itertools.product(TRANSITIONS, DossierStatus.values) if s in TRANSITIONS[a].sources]
FORBIDDEN = [(a, s) for a, s in itertools.product(TRANSITIONS, DossierStatus.values)
             if s not in TRANSITIONS[a].sources]


@pytest.mark.parametrize(("action", "status"), ALLOWED)
def test_allowed_transition(action, status):
    dossier, user = _dossier_in(status)
    transition = TRANSITIONS[action]
    _call(action, dossier, user)

    dossier.refresh_from_db()
    assert dossier.status == (transition.target or status)
    assert dossier.version == 2
    event = DossierEvent.objects.get(dossier=dossier)
    assert (event.action, event.from_status, event.to_status) == (action, status, dossier.status)
    expected_kind = transition.actor if transition.actor != Actor.CLERK else Actor.CLERK
    assert event.actor_kind == expected_kind
    if transition.actor == Actor.CLERK:
        assert event.actor == user
    messages = Notification.objects.filter(dossier=dossier)
    assert {m.event for m in messages} == {transition.event}
    assert {m.channel for m in messages} == {"sms", "email"}


@pytest.mark.parametrize(("action", "status"), FORBIDDEN)
def test_forbidden_transition_writes_nothing(action, status):
    dossier, user = _dossier_in(status)
    with pytest.raises(TransitionNotAllowed):
        _call(action, dossier, user)
    dossier.refresh_from_db()
    assert dossier.status == status
    assert dossier.version == 1
    assert not DossierEvent.objects.filter(dossier=dossier).exists()
    assert not Notification.objects.filter(dossier=dossier).exists()
    assert not SupplementRequest.objects.filter(dossier=dossier).exists()
    assert not dossier.files.exists()


def test_every_state_has_a_national_status_code():
    assert set(NATIONAL_STATUS_CODE) == set(DossierStatus.values)
    assert NATIONAL_STATUS_CODE[DossierStatus.REGISTERED] == 1
    assert NATIONAL_STATUS_CODE[DossierStatus.RETURNED] == 10


def test_receive_tells_the_appointment_date():
    dossier = filed()
    user = clerk(dossier.agency)
    services.receive_dossier(dossier=dossier, actor=user)
    dossier.refresh_from_db()
    message = Notification.objects.get(dossier=dossier, event="received", channel="sms")
    assert message.context["appointment_date"] == dossier.appointment_date.strftime("%d/%m/%Y")
    assert message.context["appointment_date_iso"] == dossier.appointment_date.isoformat()
    assert dossier.received_at is not None
    event = dossier.events.get(action="receive")
    assert event.appointment_date == dossier.appointment_date


def test_request_supplement_creates_the_request_with_a_fresh_secret_and_tells_the_link(settings):
    settings.SUPPLEMENT_LINK_DAYS = 10
    dossier = filed()
    user = clerk(dossier.agency)
    first = services.request_supplement(dossier=dossier, actor=user, reason="Ảnh chụp mờ",
                                        missing_items="Bản sao CCCD\n\nGiấy chứng sinh\n")
    assert first.missing_item_list == ["Bản sao CCCD", "Giấy chứng sinh"]
    assert len(first.secret) >= 32
    assert first.expires_at - first.created_at == datetime.timedelta(days=10)
    message = Notification.objects.get(dossier=dossier, event="supplement_requested", channel="email")
    assert message.context["reason"] == "Ảnh chụp mờ"
    assert message.context["missing_items"] == ["Bản sao CCCD", "Giấy chứng sinh"]
    assert message.context["supplement_url"] == links.supplement_url(first)
    # A second request (after the citizen supplemented) gets another secret.
    services.apply_transition(dossier, "supplement")
    second = services.request_supplement(dossier=dossier, actor=user, reason="Lần 2", missing_items=["Ảnh"])
    assert second.secret != first.secret


def test_request_supplement_requires_reason_and_items():
    dossier = filed()
    user = clerk(dossier.agency)
    with pytest.raises(ValidationError):
        services.request_supplement(dossier=dossier, actor=user, reason="  ", missing_items=["A"])
    with pytest.raises(ValidationError):
        services.request_supplement(dossier=dossier, actor=user, reason="Thiếu", missing_items=["", " "])
    assert not SupplementRequest.objects.exists()
    assert dossier.events.count() == 1


def test_refusal_and_stop_record_the_reason():
    dossier = filed()
    user = clerk(dossier.agency)
    services.refuse_dossier(dossier=dossier, actor=user, reason="Không thuộc thẩm quyền của phường")
    dossier.refresh_from_db()
    assert dossier.closed_reason == "Không thuộc thẩm quyền của phường"
    assert dossier.events.last().public_note == "Không thuộc thẩm quyền của phường"
    assert Notification.objects.get(dossier=dossier, event="refused", channel="sms").context["reason"] == \
        "Không thuộc thẩm quyền của phường"


def test_dispatch_tells_the_tracking_number_and_deliver_records_originals():
    dossier, user = _dossier_in(DossierStatus.RESULT_READY)
    services.dispatch_result(dossier=dossier, actor=user, tracking_number=" EB987654321VN ")
    dossier.refresh_from_db()
    assert dossier.tracking_number == "EB987654321VN"
    assert dossier.delivery_method == "post"
    message = Notification.objects.get(dossier=dossier, event="dispatched", channel="sms")
    assert message.context["tracking_number"] == "EB987654321VN"
    services.deliver_result(dossier=dossier, actor=user, originals_collected=True)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RETURNED and dossier.returned_at is not None
    assert "bản chính" in dossier.events.last().internal_note


def test_record_result_stores_the_result_file_privately():
    from django.core.files.uploadedfile import SimpleUploadedFile

    dossier, user = _dossier_in(DossierStatus.PROCESSING)
    services.record_result(dossier=dossier, actor=user, note="",
                           result_file=SimpleUploadedFile("Giấy khai sinh.pdf", PDF))
    result = dossier.files.get(kind=DossierFileKind.RESULT)
    assert result.content_type == "application/pdf" and result.original_name == "Giấy khai sinh.pdf"
    assert result.file.read() == PDF
    dossier.refresh_from_db()
    assert dossier.result_ready_at is not None


def test_record_result_needs_a_note_or_a_file_and_refuses_a_fake_pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    dossier, user = _dossier_in(DossierStatus.PROCESSING)
    with pytest.raises(ValidationError):
        services.record_result(dossier=dossier, actor=user, note=" ")
    with pytest.raises(ValidationError):
        services.record_result(dossier=dossier, actor=user, result_file=SimpleUploadedFile("x.pdf", b"MZ\x90 exe"))
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PROCESSING and not dossier.files.exists()


def test_assign_only_to_staff_of_the_agency():
    dossier, user = _dossier_in(DossierStatus.RECEIVED)
    other_agency, _procedure = agency_with_procedure()
    outsider = clerk(other_agency)
    with pytest.raises(ValidationError):
        services.assign_dossier(dossier=dossier, actor=user, specialist=outsider)
    services.assign_dossier(dossier=dossier, actor=user, specialist=user)
    dossier.refresh_from_db()
    assert dossier.assigned_to == user and dossier.status == DossierStatus.PROCESSING


def test_apology_moves_the_appointment_and_tells_both_dates():
    dossier, user = _dossier_in(DossierStatus.PROCESSING)
    old = dossier.appointment_date
    new = _later_working_day(4)
    services.issue_apology(dossier=dossier, actor=user, new_appointment_date=new, reason="Chờ xác minh")
    dossier.refresh_from_db()
    assert dossier.appointment_date == new and dossier.status == DossierStatus.PROCESSING
    event = dossier.events.get(action="apologise")
    assert event.appointment_date == new and event.public_note == "Chờ xác minh"
    context = Notification.objects.get(dossier=dossier, event="apology", channel="sms").context
    assert context["appointment_date"] == new.strftime("%d/%m/%Y")
    assert context["previous_appointment_date"] == old.strftime("%d/%m/%Y")


def test_apology_rejects_an_earlier_or_non_working_date():
    dossier, user = _dossier_in(DossierStatus.PROCESSING)
    with pytest.raises(ValidationError):
        services.issue_apology(dossier=dossier, actor=user, reason="x", new_appointment_date=dossier.appointment_date)
    calendar = WorkingCalendar()
    day = timezone.localdate() + datetime.timedelta(days=1)
    while calendar.is_working_day(day):
        day += datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        services.issue_apology(dossier=dossier, actor=user, reason="x", new_appointment_date=day)
    assert not dossier.events.exists()


def test_withdraw_by_citizen_or_recorded_by_a_clerk():
    online = filed()
    services.withdraw_dossier(dossier=online)
    assert online.events.last().actor_kind == Actor.CITIZEN
    at_desk = filed()
    user = clerk(at_desk.agency)
    services.withdraw_dossier(dossier=at_desk, actor=user, reason="Đơn rút hồ sơ")
    last = at_desk.events.last()
    assert (last.actor_kind, last.actor, last.to_status) == (Actor.CLERK, user, DossierStatus.WITHDRAWN)


def test_stale_version_is_refused_and_writes_nothing():
    dossier = filed()
    user = clerk(dossier.agency)
    with pytest.raises(services.DossierChanged):
        services.receive_dossier(dossier=dossier, actor=user, expected_version=dossier.version + 1)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.REGISTERED and dossier.events.count() == 1


def test_history_is_append_only():
    dossier = filed()
    event = dossier.events.get()
    event.public_note = "sửa"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
