"""Two-factor sign-in for staff (issue 17): TOTP from an authenticator app or a single-use recovery
code, required when STAFF_TWO_FACTOR_REQUIRED (the default outside PORTAL_LOCAL; the suite turns
it on here); enrolment and reset by an administrator with ``enrol_two_factor``."""

import io
import re
import time

import pytest
from django.core.management import CommandError, call_command
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "mat-khau-thu-nghiem-2026"


@pytest.fixture(autouse=True)
def _two_factor_required(settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = True


def enrol(username):
    """Enrol ``username`` as an administrator would; return (TOTP device, recovery codes)."""
    out = io.StringIO()
    call_command("enrol_two_factor", username, "--no-qr", stdout=out)
    codes = re.findall(r"^  (\S+)$", out.getvalue(), re.M)
    return TOTPDevice.objects.get(user__username=username), codes


def current_code(device, offset=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def sign_in(client, username, token):
    return client.post("/quan-tri/login/?next=/quan-tri/",
                       {"username": username, "password": PASSWORD, "otp_token": token})


def test_the_login_page_asks_for_the_code(client):
    page = client.get("/quan-tri/login/").content.decode()
    assert 'name="otp_token"' in page and "Mã xác thực" in page


def test_a_password_alone_does_not_open_the_back_office(client):
    UserFactory(username="canbo.haiyeuto")
    enrol("canbo.haiyeuto")
    response = sign_in(client, "canbo.haiyeuto", "")
    assert response.status_code == 200
    assert "Vui lòng nhập mã xác thực." in response.content.decode()
    assert client.get("/quan-tri/").status_code == 302


def test_a_wrong_code_is_refused_and_the_right_one_signs_in(client):
    UserFactory(username="canbo.totp")
    device, _codes = enrol("canbo.totp")
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = sign_in(client, "canbo.totp", wrong)
    assert "Mã xác thực không đúng" in response.content.decode()
    time.sleep(1.1)  # django-otp throttles a device after a failure (1 s, doubling): guessing is slow
    response = sign_in(client, "canbo.totp", current_code(device))
    assert response.status_code == 302 and response["Location"] == "/quan-tri/"
    assert client.get("/quan-tri/").status_code == 200


def test_a_recovery_code_works_once(client):
    UserFactory(username="canbo.khoiphuc")
    _device, codes = enrol("canbo.khoiphuc")
    assert len(codes) == 10
    assert sign_in(client, "canbo.khoiphuc", codes[0]).status_code == 302
    client.logout()
    again = sign_in(client, "canbo.khoiphuc", codes[0])
    assert again.status_code == 200 and "Mã xác thực không đúng" in again.content.decode()
    assert StaticToken.objects.filter(device__user__username="canbo.khoiphuc").count() == 9


def test_staff_without_a_device_are_told_to_ask_the_administrator(client, settings):
    # With self-enrolment on (the default), they enrol their own: tests/portal/test_security_enrolment.py.
    settings.STAFF_TWO_FACTOR_SELF_ENROL = False
    UserFactory(username="canbo.chuacaidat")
    response = sign_in(client, "canbo.chuacaidat", "123456")
    assert "chưa được cài đặt xác thực hai lớp" in response.content.decode()
    assert client.get("/quan-tri/").status_code == 302


def test_a_session_signed_in_without_the_second_factor_is_not_enough(client):
    client.force_login(UserFactory(username="canbo.phienlo"))   # a password-only session
    response = client.get("/quan-tri/")
    assert response.status_code == 302 and "/quan-tri/login/" in response["Location"]


def test_the_administrator_resets_a_lost_phone(client):
    UserFactory(username="canbo.matmay")
    old_device, old_codes = enrol("canbo.matmay")
    with pytest.raises(CommandError):
        call_command("enrol_two_factor", "canbo.matmay", "--no-qr", stdout=io.StringIO())
    out = io.StringIO()
    call_command("enrol_two_factor", "canbo.matmay", "--reset", "--no-qr", stdout=out)
    assert "otpauth://totp/" in out.getvalue()
    new_device = TOTPDevice.objects.get(user__username="canbo.matmay")
    assert new_device.pk != old_device.pk and new_device.key != old_device.key
    # The old phone's codes and the old recovery codes no longer open anything.
    assert "Mã xác thực không đúng" in sign_in(client, "canbo.matmay", old_codes[0]).content.decode()
    time.sleep(1.1)  # the failure throttles the new device for a second
    assert sign_in(client, "canbo.matmay", current_code(new_device)).status_code == 302


def test_two_factor_is_off_locally_unless_asked(client, settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = False
    UserFactory(username="canbo.maycanhan")
    client.logout()
    assert 'name="otp_token"' not in client.get("/quan-tri/login/").content.decode()
    assert sign_in(client, "canbo.maycanhan", "").status_code == 302
