"""Every public page and every back-office page a clerk uses passes axe-core (WCAG 2.1 AA).

The demo data (``seed_demo``: the catalogue, agencies, clerks and dossiers in every state)
gives each page real content; the filing wizard and the payment are walked in the browser
so each step is checked as the citizen sees it, errors included. Each page state is checked
at a phone width (375 px) and a desktop width in Vietnamese, and once more in English. The
violations of all pages are gathered and reported together (rule, impact, selectors, help).

To add a page: add a ``visit(...)`` line (or a few steps and a ``visit``) to the public or
the back-office journey below.
"""

import io
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils import translation

from dossiers import links, services
from dossiers.demo import seed_demo_dossiers
from dossiers.models import DeliveryMethod, Dossier, SupplementRequest
from dossiers.roles import RECEPTION_CLERK
from dossiers.workflow import DossierStatus
from portal.management.commands.seed_demo import DEMO_PASSWORD, SUPERUSER
from procedures.models import Agency, Procedure
from tests.factories import ComponentFactory, FeeFactory
from tests.filing.support import APPLICANT, two_agency_procedure
from tests.fixtures.axe import describe_violations, run_axe
from tests.fixtures.oidc import PASSWORD as PROVIDER_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

RESULT_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
              b"trailer<</Root 1 0 R>>\n%%EOF\n")
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


class Audit:
    """Runs axe on the page as it is now at each width and keeps every violation found."""

    def __init__(self, page, script, widths):
        self.page, self.script, self.widths = page, script, widths
        self.found, self.visited = {}, []  # (rule, targets) -> the violation and where it was seen

    def visit(self, label, url=None, status=200):
        if url is not None:
            response = self.page.goto(url)
            assert response.status == status, f"{label}: {url} answered {response.status}, not {status}"
        self.page.wait_for_load_state("load")
        for width in self.widths:
            self.page.set_viewport_size(width)
            for violation in run_axe(self.page, self.script)["violations"]:
                key = (violation["id"], str([node["target"] for node in violation["nodes"]]))
                entry = self.found.setdefault(key, {"violation": violation, "url": self.page.url, "seen": []})
                entry["seen"].append(f"{label} @ {width['width']}px")
        self.visited.append(label)

    def assert_clean(self):
        assert self.visited, "no page was checked"
        if self.found:
            # The same violation on many pages (a shared template) is reported once, with where it was seen.
            reports = [describe_violations(entry["url"], [entry["violation"]]) + "\n  seen on: " + ", ".join(entry["seen"])
                       for entry in self.found.values()]
            pytest.fail(f"{len(self.found)} distinct violation(s) on {len(self.visited)} page state(s) checked "
                        f"at {len(self.widths)} width(s):\n\n" + "\n\n".join(reports), pytrace=False)


@pytest.fixture
def demo(live_server, settings, tmp_path):
    """The demo portal on the live server: catalogue, accounts and dossiers in every state."""
    settings.PORTAL_BASE_URL = live_server.url
    settings.LOOKUP_RATE = settings.SUBMIT_RATE = "1000/m"
    settings.PAYMENT_SANDBOX_ENABLED = True
    settings.PAYMENT_SANDBOX_IPN_MODE = "inline"
    settings.PAYMENT_RETURN_WAIT_SECONDS = 0
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "files", "base_url": None}}}
    from django.core.cache import cache

    cache.clear()  # rate-limit counters of earlier tests
    call_command("seed_demo", "--no-dossiers", stdout=io.StringIO())
    # One agency's dossiers in every state (the whole demo's take a minute): one that takes fees online.
    paying = Agency.objects.filter(procedures__service_level=4, procedures__is_published=True,
                                   procedures__fees__isnull=False, staff__groups__name=RECEPTION_CLERK)
    seed_demo_dossiers(agencies=Agency.objects.filter(pk=paying.order_by("pk").values("pk")[:1]))
    translation.activate(settings.LANGUAGE_CODE)
    yield live_server.url
    cache.clear()


@pytest.fixture
def browser_page(chromium, axe_script, live_server, language):
    """A page in a context of ``language`` that bypasses the CSP (axe is injected)."""
    context = chromium.new_context(locale="vi-VN" if language == "vi" else "en-US", bypass_csp=True,
                                   viewport=PHONE)
    choose_language(context, language, live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def choose_language(context, language, url):
    """The language the visitor chose (the cookie the language switcher sets); Vietnamese is the default."""
    if language != "vi":
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": url}])


def widths_for(language):
    return [PHONE, DESKTOP] if language == "vi" else [DESKTOP]


def dossier_in(status):
    return Dossier.objects.filter(status=status).select_related("procedure", "agency").order_by("pk").first()


def procedure_of_level(level):
    return Procedure.objects.filter(service_level=level, is_published=True).order_by("code").first()


def lookup(page, base, code, captcha="PASSED", phone_last4="5678"):
    page.goto(f"{base}/tim-kiem/")
    page.fill("#id_code", code)
    page.fill("#id_phone_last4", phone_last4)
    page.fill("#id_captcha_1", captcha)
    return submit(page, "main form button[type=submit]")


def submit(page, selector):
    """Click a submit button and wait for the page it leads to; return that page's HTTP status.

    The browser's own checks (``required`` …) are switched off: the server's answer to bad
    input, with its error messages, is the page to check.
    """
    page.evaluate("() => document.querySelectorAll('form').forEach(form => { form.noValidate = true; })")
    with page.expect_navigation() as navigation:
        page.click(selector)
    return navigation.value.status


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_public_and_back_office_page_passes_axe(demo, browser_page, language, axe_script, settings,
                                                       tmp_path, live_server):
    """One seed and one browser context per language: the citizen's pages, then the clerk's."""
    audit = Audit(browser_page, axe_script, widths_for(language))
    public_pages(audit, demo, language, settings, tmp_path, live_server)
    back_office_pages(audit, demo, language, settings, live_server)
    audit.assert_clean()


def public_pages(audit, base, language, settings, tmp_path, live_server):
    """Every page a citizen sees, in the states that matter (empty, filled, errors, done)."""
    page = audit.page

    audit.visit("home", f"{base}/")
    audit.visit("catalogue", f"{base}/thu-tuc/")
    audit.visit("catalogue filtered", f"{base}/thu-tuc/?muc_do=4&cap=cap-xa")
    audit.visit("catalogue with a bad filter", f"{base}/thu-tuc/?muc_do=9&co_quan=abc")
    audit.visit("catalogue search without result", f"{base}/thu-tuc/?q=khongcothutucnaytrongdanhmuc")
    for level in (2, 3, 4):
        procedure = procedure_of_level(level)
        audit.visit(f"procedure level {level}", f"{base}{procedure.get_absolute_url()}")

    # The wizard of a demo level 4 procedure: its declaration sent empty, every field in error.
    demo_procedure = procedure_of_level(4)
    page.goto(f"{base}/nop-ho-so/{demo_procedure.code}/")
    audit.visit("wizard start")
    page.click("main form button[type=submit]")
    if "/co-quan/" in page.url:
        page.locator("input[name=agency]").first.check()
        page.click("main form button[type=submit]")
    page.wait_for_url(re.compile("/to-khai/"))
    page.click("main form button[type=submit]")
    page.wait_for_load_state("load")
    audit.visit("wizard declaration with errors")

    # A level 4 procedure with two agencies and a fee, filed and paid in the browser.
    procedure, first, _second = two_agency_procedure(level=4, components=1)
    ComponentFactory(procedure=procedure, name="Bản sao giấy tờ tùy thân", is_required=False, order=5)
    FeeFactory(procedure=procedure, name="Cấp 1 bản sao", amount=8000, order=1)
    fee = FeeFactory(procedure=procedure, name="Cấp 5 bản sao", amount=40000, order=2)
    page.goto(f"{base}/nop-ho-so/{procedure.code}/")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile("/co-quan/"))
    audit.visit("wizard agency")
    page.check(f"input[name=agency][value='{first.pk}']")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile("/to-khai/"))
    audit.visit("wizard declaration")
    for name, value in APPLICANT.items():  # the filing tests' applicant, typed into the form
        page.fill(f"#id_{name}", value)
    page.check(f"input[name='lp-fee'][value='{fee.pk}']")
    page.check("input[name='lp-delivery_method'][value='post']")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile("/giay-to/"))
    audit.visit("wizard documents")
    scan = tmp_path / "to-khai.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.click("button[name=hanh-dong][value=tiep-tuc]")
    page.wait_for_load_state("load")
    audit.visit("wizard documents with errors")
    page.locator("input[type=file]").first.set_input_files(str(scan))
    page.click("button[name=hanh-dong][value=tai-len]")
    page.wait_for_load_state("load")
    audit.visit("wizard documents with a file")
    page.click("button[name=hanh-dong][value=tiep-tuc]")
    page.wait_for_url(re.compile("/xem-lai/"))
    audit.visit("wizard review")
    page.goto(f"{base}/nop-ho-so/{procedure.code}/xac-nhan/")
    audit.visit("wizard confirm")
    page.fill("#id_captcha_1", "SAI")
    page.check("#id_consent")
    page.click("#submit-dossier")
    page.wait_for_load_state("load")
    audit.visit("wizard confirm with a wrong captcha")
    page.fill("#id_captcha_1", "PASSED")
    page.check("#id_consent")
    page.click("#submit-dossier")
    page.wait_for_url(re.compile("/da-nop/"))
    audit.visit("filing success")
    code = page.inner_text("#dossier-code").strip()
    dossier = Dossier.objects.get(code=code)
    audit.visit("filing receipt", f"{base}/nop-ho-so/{procedure.code}/da-nop/{code}/bien-nhan/")

    audit.visit("payment", links.payment_url(dossier))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile("/thanh-toan/sandbox/"))
    audit.visit("sandbox gateway")
    page.click("button[name=action][value=cancel]")
    page.wait_for_url(re.compile("/thanh-toan/vnpay/ket-qua/"))
    audit.visit("payment cancelled")
    page.goto(links.payment_url(dossier))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile("/thanh-toan/sandbox/"))
    page.click("button[name=action][value=pay]")
    page.wait_for_url(re.compile("/thanh-toan/vnpay/ket-qua/"))
    audit.visit("payment succeeded")
    page.click("main a[href*='/bien-lai/']")
    page.wait_for_url(re.compile("/bien-lai/"))
    audit.visit("payment receipt")

    # The lookup, in its four states.
    audit.visit("lookup", f"{base}/tim-kiem/")
    processing = dossier_in(DossierStatus.PROCESSING)
    lookup(page, base, processing.code, phone_last4=processing.applicant_phone[-4:])
    audit.visit("lookup found")
    lookup(page, base, "000.00.12.H26-240101-9999")
    audit.visit("lookup not found")
    lookup(page, base, "không phải mã", captcha="SAI", phone_last4="12")
    audit.visit("lookup with errors")

    # The secret-link pages.
    supplement = SupplementRequest.objects.filter(dossier__status=DossierStatus.SUPPLEMENT_REQUESTED).first()
    audit.visit("supplement", links.supplement_url(supplement))
    submit(page, "main form button[type=submit]")
    audit.visit("supplement with errors")
    page.locator("main form input[type=file]").first.set_input_files(str(scan))
    page.fill("#id_captcha_1", "PASSED")
    submit(page, "main form button[type=submit]")
    assert "/tim-kiem/" in page.url, "the supplement was not accepted"
    audit.visit("supplement sent: the lookup with its message")
    # An electronic result: the processing dossier's result is recorded with a document, to be sent online.
    Dossier.objects.filter(pk=processing.pk).update(delivery_method=DeliveryMethod.ONLINE)
    processing.refresh_from_db()
    services.record_result(dossier=processing, actor=processing.agency.staff.first(), note="Đã giải quyết.",
                           result_file=SimpleUploadedFile("ket-qua.pdf", RESULT_PDF, "application/pdf"))
    audit.visit("result", links.result_url(processing))
    audit.visit("rating", links.rating_url(dossier_in(DossierStatus.RETURNED)))
    submit(page, "main form button[type=submit]")
    audit.visit("rating with errors")
    page.locator("input[name=score]").first.check()
    submit(page, "main form button[type=submit]")
    audit.visit("rating done")
    audit.visit("public statistics", f"{base}/thong-ke/")
    audit.visit("link expired or wrong", f"{base}/danh-gia/khong-hop-le/", status=404)

    # The error pages.
    audit.visit("404", f"{base}/khong-co-trang-nay/", status=404)
    page.route(f"{base}/__loi-500__/", lambda route: route.fulfill(
        status=500, content_type="text/html; charset=utf-8", body=render_500(language)))
    audit.visit("500 template", f"{base}/__loi-500__/", status=500)
    page.goto(f"{base}/tim-kiem/")
    page.context.clear_cookies()  # the CSRF cookie goes: the form's token no longer matches
    choose_language(page.context, language, live_server.url)
    page.fill("#id_code", "000.00.12.H26-240101-9999")
    page.fill("#id_phone_last4", "5678")
    page.fill("#id_captcha_1", "PASSED")
    assert submit(page, "main form button[type=submit]") == 403
    audit.visit("403 CSRF")
    settings.LOOKUP_RATE = "1/m"
    lookup(page, base, "000.00.12.H26-240101-9999")
    assert lookup(page, base, "000.00.12.H26-240101-9999") == 429
    audit.visit("rate limited")
    settings.LOOKUP_RATE = "1000/m"


def render_500(language):
    with translation.override(language):
        return render_to_string("500.html")


def sign_in(page, base, user, password=DEMO_PASSWORD, code=None):
    """The back office's sign-in with the password and the one-time code of the user's authenticator."""
    page.goto(f"{base}/quan-tri/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.fill("#id_otp_token", code if code is not None else current_code(user))
    return submit(page, "#login-form input[type=submit]")


def enrol_authenticator(user):
    """The user's TOTP device, as ``manage.py enrol_two_factor`` leaves it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="Ứng dụng xác thực", confirmed=True)


def current_code(user):
    """The six digits the user's authenticator app shows now."""
    from django_otp.oath import totp

    device = user.totpdevice_set.get()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def back_office_pages(audit, base, language, settings, live_server):
    """Every admin page a clerk of the one-stop shop uses, signed in with two factors as in production."""
    page = audit.page
    settings.STAFF_TWO_FACTOR_REQUIRED = True
    page.context.clear_cookies()
    choose_language(page.context, language, live_server.url)
    paying = dossier_in(DossierStatus.AWAITING_PAYMENT)
    agency = paying.agency
    clerk = agency.staff.filter(groups__name=RECEPTION_CLERK).order_by("pk").first()
    admin_url = f"{base}/quan-tri/dossiers/dossier/"

    enrol_authenticator(clerk)
    audit.visit("login", f"{base}/quan-tri/login/")
    sign_in(page, base, clerk, code="000000")
    audit.visit("login with a wrong code")
    # django-otp throttles the device for a second after the wrong code; the clerk tries again later.
    clerk.totpdevice_set.get().throttle_reset()
    sign_in(page, base, clerk)
    assert "/login/" not in page.url, "the clerk could not sign in"
    audit.visit("index", f"{base}/quan-tri/")
    audit.visit("dossier list", admin_url)
    audit.visit("dossier list filtered", f"{admin_url}?status__exact=received")
    audit.visit("dossier list searched", f"{admin_url}?q=Nguy%E1%BB%85n")
    page.goto(admin_url)
    page.locator("form.date-range-filter input[type=date]").first.fill("2020-01-01")
    submit(page, "form.date-range-filter button[type=submit] >> nth=0")
    audit.visit("dossier list with a date range")

    def own(status):
        return Dossier.objects.filter(agency=agency, status=status).order_by("pk").first()

    for status in (DossierStatus.REGISTERED, DossierStatus.RECEIVED, DossierStatus.PROCESSING,
                   DossierStatus.RESULT_READY):
        audit.visit(f"dossier page ({status})", f"{admin_url}{own(status).pk}/change/")
    for status, action in ((DossierStatus.REGISTERED, "refuse"), (DossierStatus.RECEIVED, "assign"),
                           (DossierStatus.RECEIVED, "request_supplement")):
        audit.visit(f"transition form {action}", f"{admin_url}{own(status).pk}/thao-tac/{action}/")
        assert "/thao-tac/" in page.url, f"{action} is not offered for a dossier {status}"
    submit(page, "input[type=submit].default")  # the supplement request sent without its reason
    audit.visit("transition form with errors")
    # Each slip, for a dossier whose history has the step it documents.
    slips = {"tiep-nhan": "receive", "bo-sung": "request_supplement", "tu-choi": "refuse", "xin-loi": "apologise",
             "dung-xu-ly": "stop", "kiem-soat": "receive"}
    for kind, action in slips.items():
        dossier = Dossier.objects.filter(agency=agency, events__action=action).order_by("pk").first()
        audit.visit(f"slip {kind}", f"{admin_url}{dossier.pk}/phieu/{kind}/")
    audit.visit("tracking log", f"{admin_url}so-theo-doi/")
    audit.visit("message log", f"{base}/quan-tri/notifications/notification/")
    audit.visit("payments", f"{base}/quan-tri/payments/payment/")
    audit.visit("reconciliation", f"{base}/quan-tri/payments/payment/doi-soat/")
    audit.visit("in-person payment", f"{base}/quan-tri/payments/payment/thu-truc-tiep/?ma={paying.code}")
    submit(page, "#content form [type=submit] >> nth=0")
    audit.visit("in-person payment with errors")
    audit.visit("403", f"{base}/quan-tri/auth/user/", status=403)

    # Too many failed sign-ins under one user name: the lockout page (django-axes).
    page.context.clear_cookies()
    choose_language(page.context, language, live_server.url)
    settings.AXES_FAILURE_LIMIT = 2
    statuses = [sign_in(page, base, clerk, password="mat-khau-sai", code="000000") for _attempt in range(2)]
    assert statuses[-1] in (403, 429), f"no lockout after two failures: {statuses}"
    audit.visit("sign-in locked out")

    # The ratings and the message templates are read by a superuser (no clerk permission).
    page.context.clear_cookies()
    choose_language(page.context, language, live_server.url)
    administrator = get_user_model().objects.get(username=SUPERUSER)
    enrol_authenticator(administrator)
    sign_in(page, base, administrator)
    audit.visit("ratings", f"{base}/quan-tri/dossiers/rating/")


# --- The citizen's account and the wizard's newer states ---------------------------------------------

@pytest.mark.parametrize("language", ["vi", "en"])
def test_vneid_sign_in_my_dossiers_and_the_wizard_pages_of_a_signed_in_citizen_pass_axe(
        vneid, browser_page, language, axe_script, live_server, settings, tmp_path):
    """VNeID's refusal page, "Hồ sơ của tôi" (with dossiers), the locked declaration, the marriage
    declaration's "người nộp là một bên" and the "saved for later" page, each as the citizen sees it."""
    from tests.filing.support import fileable_procedure, marriage_procedure
    from tests.filing.support import submit as file_directly

    settings.PORTAL_BASE_URL = live_server.url
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "files", "base_url": None}}}
    from django.core.cache import cache

    cache.clear()
    procedure = fileable_procedure(name="Đăng ký khai sinh", components=0)
    for filed in (file_directly(procedure),
                  file_directly(fileable_procedure(name="Cấp bản sao trích lục", components=0))):
        Dossier.objects.filter(pk=filed.pk).update(applicant_id_number="001190012345")
    wedding = marriage_procedure()
    audit = Audit(browser_page, axe_script, widths_for(language))
    page, base = audit.page, live_server.url

    audit.visit("VNeID sign-in refused", f"{base}/dang-nhap/vneid/xong/?state=gia-mao&code=abc", status=400)
    page.goto(f"{base}/")
    page.click("a.nav-sign-in")
    page.get_by_label("Tên đăng nhập").fill("cong-dan")
    page.get_by_label("Mật khẩu").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/")  # back where the sign-in started, signed in
    audit.visit("my dossiers", f"{base}/ho-so-cua-toi/")
    assert page.locator("main").get_by_text(filed.code).count() >= 1
    page.goto(f"{base}/nop-ho-so/{procedure.code}/")
    submit(page, "main form button[type=submit]")
    page.wait_for_url(re.compile("/to-khai/"))
    audit.visit("wizard declaration, signed in (locked identity)")
    page.goto(f"{base}/nop-ho-so/{wedding.code}/")
    submit(page, "main form button[type=submit]")
    page.wait_for_url(re.compile("/to-khai/"))
    audit.visit("marriage declaration with the party choice")
    assert page.locator("input[name='nd-party']").count() == 3
    page.locator("input[name='nd-party'][value='vo']").check()
    page.fill("input[name='nd-phone']", "0912 345 678")
    submit(page, "button[value='luu-tiep-tuc-sau']")
    audit.visit("saved for later, the link sent")
    assert page.locator(".resume-sent").count() == 1
    submit(page, "main form button[type=submit]")
    audit.visit("saved for later, asked again too soon")
    assert page.locator(".resume-problem").count() == 1
    audit.assert_clean()
