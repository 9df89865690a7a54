"""A clerk without a device enrols their own authenticator in a real browser (issue 17): the QR code and
secret, a code the test computes from that secret as the app would (TOTP, RFC 6238), the recovery
codes shown once; then signs out, signs in with a fresh TOTP code, and uses a recovery code once
(the second use is refused). No Content-Security-Policy violation on the way."""

import base64

import pytest
from django_otp.oath import totp

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.integration]
PASSWORD = "mat-khau-thu-nghiem-2026"


def code(key, offset=0):
    return f"{totp(key, step=30, t0=0, digits=6, drift=offset):06d}"


def sign_in(page, base, username, token=""):
    page.goto(f"{base}/quan-tri/login/?next=/quan-tri/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp_token", token)
    page.click("input[type=submit]")
    page.wait_for_load_state("load")


def sign_out(page, base):
    page.click("#logout-form button[type=submit]")
    page.wait_for_load_state("load")
    page.goto(f"{base}/quan-tri/")
    page.wait_for_selector("#login-form")


@pytest.mark.django_db(transaction=True)
def test_a_clerk_enrols_signs_in_with_totp_and_uses_a_recovery_code_once(page, axe, live_server, settings):
    settings.STAFF_TWO_FACTOR_REQUIRED = True
    settings.STAFF_TWO_FACTOR_SELF_ENROL = True
    base = live_server.url
    UserFactory(username="canbo.tucaidat")
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)

    def accessible():
        # axe tries an inline <script> first (refused by the policy, then evaluated): not the page's doing.
        before = len(violations)
        axe(page)
        del violations[before:]

    # The right password, no device yet: the enrolment, not the back office.
    sign_in(page, base, "canbo.tucaidat")
    page.wait_for_url(f"{base}/quan-tri/xac-thuc-hai-lop/cai-dat/")
    assert "Cài đặt xác thực hai lớp" in page.inner_text("h1")
    assert page.eval_on_selector(".two-factor-qr img", "img => img.complete && img.naturalWidth > 0")
    accessible()
    key = base64.b32decode(page.inner_text("#totp-secret").replace(" ", ""))

    page.fill("#id_otp_token", "12345")
    page.click("#enrol-form input[type=submit]")
    assert "Mã xác thực không đúng" in page.inner_text("#content")
    accessible()
    page.wait_for_timeout(1100)  # django-otp's throttle after the wrong code
    page.fill("#id_otp_token", code(key))
    page.click("#enrol-form input[type=submit]")
    page.wait_for_selector("#recovery-codes")
    assert "chỉ hiển thị một lần" in page.inner_text("#content")
    accessible()
    recovery = [item.strip() for item in page.locator("#recovery-codes li").all_inner_texts()]
    assert len(recovery) == 10 and len(set(recovery)) == 10
    page.click("text=Tôi đã lưu các mã, vào trang quản trị")
    page.wait_for_url(f"{base}/quan-tri/")
    assert "CANBO.TUCAIDAT" in page.inner_text("#user-tools").upper()
    # Shown once: going back to the enrolment shows neither the codes nor a new device.
    page.goto(f"{base}/quan-tri/xac-thuc-hai-lop/cai-dat/")
    assert page.locator("#recovery-codes").count() == 0 and page.locator("#totp-secret").count() == 0

    # Signed out, the password alone is not enough; with the app's next code it is.
    sign_out(page, base)
    sign_in(page, base, "canbo.tucaidat")
    assert "Vui lòng nhập mã xác thực." in page.inner_text("#content")
    sign_in(page, base, "canbo.tucaidat", code(key, offset=1))  # the code used to confirm cannot be reused
    page.wait_for_url(f"{base}/quan-tri/")

    # A recovery code works once.
    sign_out(page, base)
    sign_in(page, base, "canbo.tucaidat", recovery[0])
    page.wait_for_url(f"{base}/quan-tri/")
    sign_out(page, base)
    sign_in(page, base, "canbo.tucaidat", recovery[0])
    assert page.url.startswith(f"{base}/quan-tri/login/")
    assert "Mã xác thực không đúng hoặc đã dùng" in page.inner_text("#content")
    assert violations == []
