"""Fixtures for the payment tests: a level 4 dossier awaiting its fee, clerks, signed gateway answers."""

import pytest
from django.test import override_settings

from dossiers.workflow import DossierStatus
from payments.providers.vnpay import sign
from tests.factories import AgencyFactory, DossierFactory, FeeFactory, ProcedureFactory, UserFactory

SECRET = "sandbox-secret-not-for-production"
TMN_CODE = "SANDBOX1"


@pytest.fixture(autouse=True)
def gateway_settings():
    # The local defaults, pinned: the known vectors below were computed with them.
    with override_settings(VNPAY_TMN_CODE=TMN_CODE, VNPAY_HASH_SECRET=SECRET, VNPAY_PAYMENT_URL="",
                           PAYMENT_SANDBOX_ENABLED=True, PAYMENT_SANDBOX_IPN_MODE="inline",
                           PAYMENT_RETURN_WAIT_SECONDS=0, PORTAL_BASE_URL="http://testserver"):
        yield


@pytest.fixture
def agency(db):
    return AgencyFactory()


@pytest.fixture
def level4_procedure(agency):
    procedure = ProcedureFactory(service_level=4, agencies=[agency], allows_electronic_result=True)
    FeeFactory(procedure=procedure, name="Lệ phí cấp bản sao trích lục", amount=50000)
    return procedure


@pytest.fixture
def awaiting_dossier(level4_procedure):
    """What the filing wizard leaves behind for a level 4 procedure with a fee."""
    return DossierFactory(procedure=level4_procedure, status=DossierStatus.AWAITING_PAYMENT,
                          fee_name="Lệ phí cấp bản sao trích lục", fee_amount=50000,
                          delivery_method="post", delivery_address="Số 5 ngõ 12 phố Hàng Bông, Hà Nội")


def make_clerk(agency, *permissions, username=None):
    from django.contrib.auth.models import Permission

    clerk = UserFactory(**({"username": username} if username else {}))
    for name in permissions:
        app_label, codename = name.split(".")
        clerk.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    agency.staff.add(clerk)
    return clerk


@pytest.fixture
def clerk(agency):
    return make_clerk(agency, "payments.view_payment", "payments.record_in_person_payment",
                      "payments.reconcile_payments", "dossiers.view_dossier", "dossiers.process_dossier",
                      username="motcua")


def gateway_answer(payment, *, code="00", amount=None, **extra):
    """The gateway's signed answer about ``payment`` (as the sandbox or VNPay sends it)."""
    params = {
        "vnp_TmnCode": TMN_CODE,
        "vnp_Amount": str((payment.amount if amount is None else amount) * 100),
        "vnp_TxnRef": payment.reference,
        "vnp_OrderInfo": "Thanh toan phi ho so",
        "vnp_BankCode": "NCB",
        "vnp_CardType": "ATM",
        "vnp_PayDate": "20260115093512",
        "vnp_ResponseCode": code,
        "vnp_TransactionNo": "14226112" if code == "00" else "0",
        "vnp_TransactionStatus": "00" if code == "00" else "02",
        **extra,
    }
    params["vnp_SecureHash"] = sign(params, SECRET)
    return params
