"""Level 4 end to end in the services: paid online, received, settled, sent by post, delivered."""

import pytest

from dossiers import services as dossier_services
from dossiers.workflow import DossierStatus, Event, TransitionNotAllowed
from notifications.models import Notification
from payments import services

from .conftest import gateway_answer, make_clerk


def test_postal_delivery_states_and_their_notifications(client, awaiting_dossier, clerk, agency):
    payment, _url = services.start_online_payment(awaiting_dossier, return_url="http://testserver/r/")
    client.get("/thanh-toan/vnpay/ipn/", gateway_answer(payment))
    specialist = make_clerk(agency, "dossiers.view_dossier", username="chuyenvien")
    dossier = awaiting_dossier
    dossier.refresh_from_db()
    dossier_services.receive_dossier(dossier=dossier, actor=clerk)
    dossier_services.assign_dossier(dossier=dossier, actor=clerk, specialist=specialist)
    dossier_services.record_result(dossier=dossier, actor=specialist, note="Đã cấp bản sao trích lục khai sinh.")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RESULT_READY

    dossier_services.dispatch_result(dossier=dossier, actor=clerk, tracking_number="EMS123456789VN")
    dossier.refresh_from_db()
    assert (dossier.status, dossier.tracking_number, dossier.delivery_method) == (
        DossierStatus.DISPATCHED, "EMS123456789VN", "post")
    dispatched = Notification.objects.filter(dossier=dossier, event=Event.DISPATCHED)
    assert dispatched.count() == 2
    assert {row.context["tracking_number"] for row in dispatched} == {"EMS123456789VN"}
    # Not "returned" until the post delivered it.
    with pytest.raises(TransitionNotAllowed):
        dossier_services.return_result(dossier=dossier, actor=clerk)

    dossier_services.deliver_result(dossier=dossier, actor=clerk, originals_collected=True)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RETURNED and dossier.returned_at is not None
    delivered = Notification.objects.filter(dossier=dossier, event=Event.DELIVERED)
    assert delivered.count() == 2
    assert {row.context["tracking_number"] for row in delivered} == {"EMS123456789VN"}
    assert "bản chính" in dossier.events.get(action="deliver").internal_note
    assert list(dossier.events.values_list("action", flat=True)) == [
        "confirm_payment", "receive", "assign", "record_result", "dispatch", "deliver"]
