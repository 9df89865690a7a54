"""A clerk signs in to the back office with a password and the code of their authenticator app,
computed here as the app would (TOTP, RFC 6238), in a real browser."""

import io

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.mark.django_db(transaction=True)
def test_a_clerk_signs_in_with_password_and_totp(page, axe, live_server, settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = True
    UserFactory(username="canbo.trinhduyet")
    call_command("enrol_two_factor", "canbo.trinhduyet", "--no-qr", stdout=io.StringIO())
    device = TOTPDevice.objects.get(user__username="canbo.trinhduyet")

    page.goto(f"{live_server.url}/quan-tri/")
    page.wait_for_selector("#login-form")
    axe(page)
    page.fill("#id_username", "canbo.trinhduyet")
    page.fill("#id_password", "mat-khau-thu-nghiem-2026")
    page.click("input[type=submit]")
    assert "Vui lòng nhập mã xác thực." in page.inner_text("#content")
    axe(page)

    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    page.fill("#id_password", "mat-khau-thu-nghiem-2026")
    page.fill("#id_otp_token", code)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/quan-tri/")
    assert "canbo.trinhduyet".upper() in page.inner_text("#user-tools").upper()
