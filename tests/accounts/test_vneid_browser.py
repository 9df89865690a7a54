"""Sign-in with VNeID against a real OpenID provider (django-oauth-toolkit in its own process), in Chromium.

The whole code flow: the header's link, the provider's sign-in page, the callback, the
prefilled and locked applicant fields, "Hồ sơ của tôi", sign-out at the provider too; then
the answers the portal must refuse with a clear page: a forged state, a replayed code,
another issuer, an expired ID token and one signed with another key.
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from accounts.models import FiledByAccount
from dossiers.models import Dossier
from tests.factories import FeeFactory
from tests.filing.support import fileable_procedure, fresh_rate_limits, private_storage  # noqa: F401
from tests.fixtures.oidc import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("private_storage", "fresh_rate_limits")]

REFUSED = "Đăng nhập bằng VNeID không thành công"


def _sign_in_at_provider(page, username="cong-dan"):
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def _start_sign_in(page, live_server, username="cong-dan"):
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
    _sign_in_at_provider(page, username)


def _sign_in_and_open_my_dossiers(page, live_server, username="cong-dan"):
    _start_sign_in(page, live_server, username)
    # Back on the page the sign-in started from, signed in.
    page.get_by_role("button", name="Đăng xuất").wait_for()
    assert page.url == f"{live_server.url}/"
    page.get_by_role("link", name="Hồ sơ của tôi").click()
    page.get_by_role("heading", name="Hồ sơ của tôi").wait_for()


def test_a_citizen_signs_in_files_with_locked_identity_sees_my_dossiers_and_signs_out(
        live_server, page, vneid, axe):
    procedure = fileable_procedure(name="Đăng ký khai sinh", components=0)
    FeeFactory(procedure=procedure, name="Đăng ký khai sinh đúng hạn", amount=0)
    other = fileable_procedure(name="Cấp bản sao trích lục", components=0)
    # Filed anonymously earlier with the same ID number: it is hers too.
    from tests.filing.support import submit
    earlier = submit(other)
    Dossier.objects.filter(pk=earlier.pk).update(applicant_id_number="001190012345")

    _start_sign_in(page, live_server)
    page.get_by_role("button", name="Đăng xuất").wait_for()
    assert "Đã đăng nhập bằng VNeID: Nguyễn Thị Bình" in page.content()
    page.get_by_role("link", name="Hồ sơ của tôi").click()
    page.get_by_role("heading", name="Hồ sơ của tôi").wait_for()
    assert earlier.code in page.content()
    axe(page)

    page.goto(f"{live_server.url}{procedure.get_absolute_url()}")
    page.get_by_role("link", name="Thực hiện").first.click()
    page.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()
    name = page.get_by_label("Họ và tên")
    assert name.input_value() == "Nguyễn Thị Bình" and name.is_disabled()
    assert page.get_by_label("Số định danh cá nhân (CCCD)").input_value() == "001190012345"
    assert page.get_by_label("Số định danh cá nhân (CCCD)").is_disabled()
    assert page.get_by_label(re.compile(r"^Ngày sinh")).is_disabled()
    # A hostile browser re-enables the field and changes it: the claims still win.
    page.evaluate("document.querySelector('[name=\"nd-full_name\"]').disabled = false")
    page.evaluate("document.querySelector('[name=\"nd-full_name\"]').value = 'Kẻ Mạo Danh'")
    page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    page.get_by_label("Địa chỉ liên hệ").fill("Số 5 ngõ 12 phố Hàng Bông, Hà Nội")
    page.get_by_role("button", name="Lưu và tiếp tục", exact=True).click()
    page.get_by_role("heading", name="Xem lại hồ sơ").wait_for()
    page.get_by_role("link", name="Tiếp tục").click()
    page.get_by_label("Mã xác nhận").fill("PASSED")
    page.get_by_label(re.compile("Tôi xin cam đoan")).check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.get_by_role("heading", name="Nộp hồ sơ thành công").wait_for()

    dossier = Dossier.objects.get(procedure=procedure)
    assert dossier.applicant_name == "Nguyễn Thị Bình" and dossier.applicant_id_number == "001190012345"
    assert dossier.applicant_birth_date.isoformat() == "1990-05-17"
    assert FiledByAccount.objects.get(dossier=dossier).subject == "tech-0001"

    page.get_by_role("link", name="Hồ sơ của tôi").click()
    rows = page.locator("table.my-dossiers tbody tr")
    assert rows.count() == 2
    assert dossier.code in rows.first.inner_text() and "Đã đăng ký trực tuyến" in rows.first.inner_text()
    page.get_by_role("link", name=f"Giấy biên nhận {dossier.code}").click()
    page.get_by_role("heading", name="Giấy tiếp nhận hồ sơ trực tuyến").wait_for()

    page.goto(f"{live_server.url}/")
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("link", name="Đăng nhập bằng VNeID").is_visible()
    page.goto(f"{live_server.url}/ho-so-cua-toi/")
    # Signed out at the provider too: its sign-in page asks again.
    page.get_by_label("Tên đăng nhập").wait_for()


def test_an_organisation_account_sees_its_organisations_dossiers(live_server, page, vneid):
    procedure = fileable_procedure(name="Cấp giấy phép kinh doanh", components=0, for_organisations=True,
                                   for_citizens=False)
    from tests.filing.support import submit
    theirs = submit(procedure)
    Dossier.objects.filter(pk=theirs.pk).update(applicant_type="organisation", organisation_tax_code="0101234567",
                                                organisation_name="Công ty TNHH Ánh Dương")
    someone_else = submit(procedure)
    _sign_in_and_open_my_dossiers(page, live_server, "to-chuc")
    assert "mã số thuế 0101234567" in page.content()
    assert theirs.code in page.content() and someone_else.code not in page.content()


def test_a_forged_state_is_refused_with_a_clear_page(live_server, page, vneid):
    _sign_in_and_open_my_dossiers(page, live_server)
    page.get_by_role("button", name="Đăng xuất").click()
    response = page.goto(f"{live_server.url}/dang-nhap/vneid/xong/?code=abc&state=gia-mao")
    assert response.status == 400
    assert page.get_by_role("heading", name=REFUSED).is_visible()
    assert not page.get_by_role("link", name="Hồ sơ của tôi").count()


def test_a_replayed_code_is_refused(live_server, page, vneid):
    callbacks = []
    page.on("request", lambda request: callbacks.append(request.url) if "/dang-nhap/vneid/xong/" in request.url
            else None)
    _sign_in_and_open_my_dossiers(page, live_server)
    first = callbacks[0]
    assert parse_qs(urlsplit(first).query)["code"]
    page.get_by_role("button", name="Đăng xuất").click()
    # Another browser (an attacker who saw the address) and the same one both get nothing from it.
    response = page.goto(first)
    assert response.status == 400 and page.get_by_role("heading", name=REFUSED).is_visible()


def test_an_id_token_from_another_issuer_is_refused(live_server, page, vneid, settings):
    settings.OIDC_ISSUER = "http://127.0.0.1:9/vneid-khac"
    _start_sign_in(page, live_server)
    page.get_by_role("heading", name=REFUSED).wait_for()
    assert "Hồ sơ của tôi" not in page.locator("nav.site-nav").inner_text()


def test_an_id_token_signed_with_another_key_is_refused(live_server, page, vneid, other_oidc_provider, settings):
    settings.OIDC_JWKS_URI = other_oidc_provider.jwks_uri
    _start_sign_in(page, live_server)
    page.get_by_role("heading", name=REFUSED).wait_for()
    assert "Hồ sơ của tôi" not in page.locator("nav.site-nav").inner_text()


def test_an_expired_id_token_is_refused(live_server, page, vneid, other_oidc_provider, settings):
    settings.OIDC_ISSUER = other_oidc_provider.issuer
    settings.OIDC_DISCOVERY_URL = other_oidc_provider.discovery_url
    _start_sign_in(page, live_server)
    page.get_by_role("heading", name=REFUSED).wait_for()
    assert "Hồ sơ của tôi" not in page.locator("nav.site-nav").inner_text()


def test_filing_stays_possible_without_signing_in(live_server, page, vneid):
    procedure = fileable_procedure(name="Đăng ký kết hôn", components=0)
    page.goto(f"{live_server.url}{procedure.get_absolute_url()}")
    page.get_by_role("link", name="Thực hiện").first.click()
    page.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()
    assert not page.get_by_label("Họ và tên").is_disabled()
    assert page.get_by_label("Họ và tên").input_value() == ""
