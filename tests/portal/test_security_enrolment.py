"""Staff enrol their own second factor (issue 17): a staff member without a device, once the password
is right, is guided to enrol (QR code and secret of a new TOTP device, confirmed by a code the app
computes, recovery codes shown once) and nothing of the back office opens before that."""

import base64
import re
import time

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.staff_auth import ENROLMENT_SECONDS, ENROLMENT_SESSION_KEY
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "mat-khau-thu-nghiem-2026"
ENROL = "/quan-tri/xac-thuc-hai-lop/cai-dat/"


@pytest.fixture(autouse=True)
def _two_factor_required(settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = True
    settings.STAFF_TWO_FACTOR_SELF_ENROL = True


def sign_in(client, username, token="", next_url="/quan-tri/"):
    return client.post(f"/quan-tri/login/?next={next_url}",
                       {"username": username, "password": PASSWORD, "otp_token": token, "next": next_url})


def secret_of(page):
    return base64.b32decode(re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", ""))


def code_for(key, offset=0):
    return f"{totp(key, step=30, t0=0, digits=6, drift=offset):06d}"


def start(client, username):
    response = sign_in(client, username)
    assert response.status_code == 302 and response["Location"] == ENROL
    page = client.get(ENROL)
    assert page.status_code == 200
    return page


def test_the_right_password_without_a_device_leads_to_the_enrolment_not_the_back_office(client):
    UserFactory(username="canbo.moi")
    page = start(client, "canbo.moi").content.decode()
    assert "Cài đặt xác thực hai lớp" in page and "canbo.moi" in page
    assert 'src="data:image/svg+xml;base64,' in page and 'id="totp-secret"' in page
    assert "no-store" in client.get(ENROL)["Cache-Control"]
    device = TOTPDevice.objects.get(user__username="canbo.moi")
    assert not device.confirmed                       # not a second factor until confirmed
    assert secret_of(page) == device.bin_key
    # The session is not signed in: the back office still sends it to the sign-in page.
    response = client.get("/quan-tri/")
    assert response.status_code == 302 and "/quan-tri/login/" in response["Location"]
    # And the unconfirmed device is no second factor: its code signs nobody in, it leads to the enrolment again.
    response = sign_in(client, "canbo.moi", code_for(device.bin_key))
    assert response.status_code == 302 and response["Location"] == ENROL
    assert client.get("/quan-tri/").status_code == 302


def test_a_wrong_password_never_reaches_the_enrolment(client):
    UserFactory(username="canbo.saimatkhau")
    response = client.post("/quan-tri/login/", {"username": "canbo.saimatkhau", "password": "sai", "otp_token": ""})
    assert response.status_code == 200
    assert client.get(ENROL)["Location"].startswith("/quan-tri/login/")
    assert not TOTPDevice.objects.exists()


def test_confirming_with_the_apps_code_signs_in_and_shows_the_recovery_codes_once(client):
    UserFactory(username="canbo.caidat")
    key = secret_of(start(client, "canbo.caidat").content.decode())
    empty = client.post(ENROL, {})
    assert empty.status_code == 200 and "Vui lòng nhập mã xác thực." in empty.content.decode()
    wrong = client.post(ENROL, {"otp_token": "000000" if code_for(key) != "000000" else "111111"})
    assert wrong.status_code == 200 and "Mã xác thực không đúng" in wrong.content.decode()
    assert not TOTPDevice.objects.get(user__username="canbo.caidat").confirmed
    time.sleep(1.1)  # django-otp throttles the device for a second after a wrong code

    done = client.post(ENROL, {"otp_token": code_for(key)})
    assert done.status_code == 200
    page = done.content.decode()
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", page)
    assert len(codes) == 10 and "chỉ hiển thị một lần" in page
    assert sorted(codes) == sorted(StaticToken.objects.filter(device__user__username="canbo.caidat")
                                   .values_list("token", flat=True))
    assert TOTPDevice.objects.get(user__username="canbo.caidat").confirmed
    # Signed in and verified: the back office opens.
    assert client.get("/quan-tri/").status_code == 200
    # Shown once: the enrolment page is gone, it shows no codes again.
    again = client.get(ENROL)
    assert again.status_code == 302 and again["Location"] == "/quan-tri/login/"
    assert ENROLMENT_SESSION_KEY not in client.session


def test_an_enrolment_expires(client, monkeypatch):
    UserFactory(username="canbo.hethan")
    start(client, "canbo.hethan")
    session = client.session
    state = session[ENROLMENT_SESSION_KEY]
    state["since"] -= ENROLMENT_SECONDS + 1
    session[ENROLMENT_SESSION_KEY] = state
    session.save()
    response = client.get(ENROL, follow=True)
    assert "Phiên cài đặt xác thực hai lớp đã hết hạn" in response.content.decode()


def test_staff_with_a_device_are_not_offered_a_new_one(client):
    UserFactory(username="canbo.dacothietbi")
    call_command("enrol_two_factor", "canbo.dacothietbi", "--no-qr", stdout=open("/dev/null", "w"))
    response = sign_in(client, "canbo.dacothietbi")
    assert response.status_code == 200 and "Vui lòng nhập mã xác thực." in response.content.decode()
    assert client.get(ENROL).status_code == 302
    assert TOTPDevice.objects.filter(user__username="canbo.dacothietbi").count() == 1


def test_with_self_enrolment_off_the_administrator_enrols(client, settings):
    settings.STAFF_TWO_FACTOR_SELF_ENROL = False
    UserFactory(username="canbo.quantrivien")
    response = sign_in(client, "canbo.quantrivien")
    assert response.status_code == 200 and "Vui lòng liên hệ quản trị viên" in response.content.decode()
    assert not TOTPDevice.objects.exists()


def test_the_administrator_clears_a_lost_phone_and_the_clerk_enrols_again(client):
    UserFactory(username="canbo.matdienthoai")
    call_command("enrol_two_factor", "canbo.matdienthoai", "--no-qr", stdout=open("/dev/null", "w"))
    old = TOTPDevice.objects.get(user__username="canbo.matdienthoai")
    call_command("enrol_two_factor", "canbo.matdienthoai", "--clear", stdout=open("/dev/null", "w"))
    assert not TOTPDevice.objects.filter(user__username="canbo.matdienthoai").exists()
    assert not StaticToken.objects.filter(device__user__username="canbo.matdienthoai").exists()
    key = secret_of(start(client, "canbo.matdienthoai").content.decode())
    assert key != old.bin_key
    assert client.post(ENROL, {"otp_token": code_for(key)}).status_code == 200
    assert client.get("/quan-tri/").status_code == 200
