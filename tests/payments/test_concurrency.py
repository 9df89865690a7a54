"""Against PostgreSQL: gateway answers arriving at the same time, and the return page waiting for the IPN."""

import threading

import pytest
from django.db import connections
from django.urls import reverse

from dossiers.workflow import DossierStatus
from payments import services
from payments.models import PaymentStatus
from tests.factories import DossierFactory

from .conftest import gateway_answer

pytestmark = [pytest.mark.postgres, pytest.mark.integration]


def run_together(functions):
    """Run ``functions`` in threads started at the same instant; return their results."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)
    errors = []

    def worker(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt_count", [2, 4])
def test_concurrent_confirmations_for_several_attempts_of_one_dossier_pay_once(postgres, awaiting_dossier,
                                                                               attempt_count):
    for round_number in range(5):
        dossier = DossierFactory(procedure=awaiting_dossier.procedure, status=DossierStatus.AWAITING_PAYMENT,
                                 fee_amount=50000)
        attempts = [services.start_online_payment(dossier, return_url="http://testserver/r/")[0]
                    for _ in range(attempt_count)]
        answers = run_together([lambda p=p: services.handle_gateway_notification(gateway_answer(p))
                                for p in attempts])
        assert sorted(answer.code for answer in answers) == ["00"] + ["02"] * (attempt_count - 1), round_number
        assert dossier.payments.filter(status=PaymentStatus.PAID).count() == 1
        assert dossier.payments.filter(needs_refund=True).count() == attempt_count - 1
        assert dossier.events.filter(action="confirm_payment").count() == 1
        dossier.refresh_from_db()
        assert dossier.status == DossierStatus.REGISTERED


@pytest.mark.django_db(transaction=True)
def test_the_same_ipn_sent_many_times_at_once_confirms_once(postgres, awaiting_dossier):
    payment, _url = services.start_online_payment(awaiting_dossier, return_url="http://testserver/r/")
    answers = run_together([lambda: services.handle_gateway_notification(gateway_answer(payment))] * 8)
    assert sorted(answer.code for answer in answers) == ["00"] + ["02"] * 7
    assert awaiting_dossier.events.filter(action="confirm_payment").count() == 1
    assert awaiting_dossier.notifications.filter(event="payment_confirmed").count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_return_page_waits_for_an_ipn_that_comes_a_moment_later(postgres, client, settings, awaiting_dossier):
    settings.PAYMENT_RETURN_WAIT_SECONDS = 8
    payment, _url = services.start_online_payment(awaiting_dossier, return_url="http://testserver/r/")
    answer = gateway_answer(payment)

    def late_ipn():
        services.handle_gateway_notification(answer)
        connections.close_all()

    timer = threading.Timer(1.0, late_ipn)
    timer.start()
    try:
        page = client.get(reverse("payments:vnpay_return"), answer).content.decode()
    finally:
        timer.join()
    assert "Thanh toán thành công" in page
