"""Twilio's delivery receipts: the signature is checked against the public URL, then the status recorded."""

import pytest
from twilio.request_validator import RequestValidator

from notifications.models import Channel, Notification, NotificationStatus
from tests.factories import DossierFactory

pytestmark = pytest.mark.django_db

TOKEN = "auth-token-for-callback-tests"
BASE = "https://dichvucong.example.gov.vn"


@pytest.fixture
def row(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PORTAL_BASE_URL = BASE
    return Notification.objects.create(dossier=DossierFactory(), event="received", channel=Channel.SMS,
                                       recipient="+84912345678", body="x", status=NotificationStatus.QUEUED,
                                       provider_id="SM" + "a" * 32)


def post(client, row, status, *, signature="sign", token=TOKEN, url=None, **extra):
    path = f"/thong-bao/twilio/{row.pk}/trang-thai/"
    params = {"MessageSid": row.provider_id, "MessageStatus": status, "AccountSid": "AC" + "0" * 32, **extra}
    headers = {}
    if signature == "sign":
        headers["HTTP_X_TWILIO_SIGNATURE"] = RequestValidator(token).compute_signature(url or BASE + path, params)
    elif signature:
        headers["HTTP_X_TWILIO_SIGNATURE"] = signature
    return client.post(path, params, **headers)


def test_a_signed_receipt_records_the_delivery(client, row):
    assert post(client, row, "sent").status_code == 204
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    assert post(client, row, "delivered").status_code == 204
    row.refresh_from_db()
    assert row.status == NotificationStatus.DELIVERED and row.delivered_at is not None


def test_receipts_never_move_a_message_backwards(client, row):
    post(client, row, "delivered")
    post(client, row, "sent")
    row.refresh_from_db()
    assert row.status == NotificationStatus.DELIVERED


def test_a_failed_delivery_keeps_the_operators_error_code(client, row):
    assert post(client, row, "undelivered", ErrorCode="30003").status_code == 204
    row.refresh_from_db()
    assert row.status == NotificationStatus.UNDELIVERED and "30003" in row.last_error


@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl"])
def test_missing_or_forged_signatures_are_refused(client, row, signature):
    assert post(client, row, "delivered", signature=signature).status_code == 403
    row.refresh_from_db()
    assert row.status == NotificationStatus.QUEUED


def test_a_signature_made_with_another_token_is_refused(client, row):
    assert post(client, row, "delivered", token="someone-elses-token").status_code == 403


def test_a_signature_for_another_message_is_refused(client, row):
    other = Notification.objects.create(dossier=row.dossier, event="received", channel=Channel.SMS,
                                        recipient="+84912345678", body="y", provider_id="SM" + "b" * 32)
    stolen_url = f"{BASE}/thong-bao/twilio/{other.pk}/trang-thai/"
    assert post(client, row, "failed", url=stolen_url).status_code == 403
    row.refresh_from_db()
    assert row.status == NotificationStatus.QUEUED


def test_the_signature_covers_the_public_url_not_the_internal_host(client, row):
    internal = f"http://testserver/thong-bao/twilio/{row.pk}/trang-thai/"
    assert post(client, row, "delivered", url=internal).status_code == 403


def test_a_receipt_for_another_provider_message_is_ignored(client, row):
    response = post(client, row, "failed", MessageSid="SM" + "c" * 32)
    assert response.status_code == 204
    row.refresh_from_db()
    assert row.status == NotificationStatus.QUEUED


def test_only_post(client, row):
    assert client.get(f"/thong-bao/twilio/{row.pk}/trang-thai/").status_code == 405
