"""The strict Content-Security-Policy as Chromium enforces it (issue 17): no 'unsafe-inline' at all, and
still not one ``securitypolicyviolation`` event nor a console report on the public pages, the clerk's
admin pages (the lists with their date filters, a dossier, its slip, payments and their
reconciliation, the message log, the audit trail) and the superuser's (ratings, message templates
with the email preview). Styles moved to static/css are really applied."""

import pytest

from dossiers import services
from dossiers.workflow import Event
from notifications.models import Channel, MessageTemplate
from tests.backoffice.helpers import agency_with_procedure, filed, leader
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.integration]
PASSWORD = "mat-khau-thu-nghiem-2026"

# Every document (each frame too) records its violations before any of its own scripts run.
LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI || 'inline'} ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def watched(chromium):
    context = chromium.new_context(locale="vi-VN")
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.set_default_timeout(15000)
    reports = []
    page.on("console", lambda message: reports.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text else None)
    yield page, reports
    context.close()


def visit(page, base, path):
    response = page.goto(f"{base}{path}")
    assert response.status == 200, path
    page.wait_for_load_state("load")
    assert "unsafe-inline" not in response.headers["content-security-policy"], path
    return page.evaluate("() => window.__cspViolations")


def sign_in(page, base, user):
    page.goto(f"{base}/quan-tri/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/quan-tri/")


@pytest.mark.django_db(transaction=True)
def test_public_and_admin_pages_load_without_a_single_violation(watched, live_server):
    page, reports = watched
    base = live_server.url
    agency, procedure = agency_with_procedure(service_level=3)
    dossier = filed(procedure, agency)
    boss = leader(agency, username="lanhdao.csp.trinh")
    boss.set_password(PASSWORD)
    boss.save()
    services.receive_dossier(dossier=dossier, actor=boss)  # so its receipt slip exists
    violations = {}

    for path in ("/", "/thu-tuc/", procedure.get_absolute_url(), f"/nop-ho-so/{procedure.code}/", "/tim-kiem/",
                 dossier.get_lookup_url(), "/thong-ke/", "/quan-tri/login/"):
        violations[path] = visit(page, base, path)

    sign_in(page, base, boss)
    for path in ("/quan-tri/", "/quan-tri/dossiers/dossier/", f"/quan-tri/dossiers/dossier/{dossier.pk}/change/",
                 f"/quan-tri/dossiers/dossier/{dossier.pk}/phieu/tiep-nhan/", "/quan-tri/payments/payment/",
                 "/quan-tri/payments/payment/doi-soat/", "/quan-tri/notifications/notification/",
                 "/quan-tri/audit/auditentry/"):
        violations[path] = visit(page, base, path)
    # The classes that replaced the style attributes are applied: the date filter's padding, the amounts' alignment.
    page.goto(f"{base}/quan-tri/dossiers/dossier/")
    assert page.eval_on_selector("form.date-range-filter", "f => getComputedStyle(f).paddingLeft") == "15px"
    page.goto(f"{base}/quan-tri/payments/payment/doi-soat/")
    assert page.eval_on_selector("#grand-total", "c => getComputedStyle(c).textAlign") == "right"
    assert page.eval_on_selector("form.reconciliation-filter", "f => getComputedStyle(f).paddingTop") == "8px"

    assert {path: found for path, found in violations.items() if found} == {}
    assert reports == []


@pytest.mark.django_db(transaction=True)
def test_the_superusers_pages_and_the_email_preview_frame(watched, live_server):
    page, reports = watched
    base = live_server.url
    agency, procedure = agency_with_procedure(service_level=3)
    filed(procedure, agency)
    agency_with_procedure()  # a second agency, for the parent's autocomplete to list
    admin = UserFactory(username="quantri.csp", is_staff=True, is_superuser=True)
    admin.set_password(PASSWORD)
    admin.save()
    template = MessageTemplate.objects.create(event=Event.RECEIVED, channel=Channel.EMAIL, language="vi",
                                              subject="Hồ sơ {{ code }} đã được tiếp nhận",
                                              body="Kính gửi {{ applicant_name }}, hồ sơ đã được tiếp nhận.")
    violations = {}
    sign_in(page, base, admin)
    for path in ("/quan-tri/dossiers/rating/", "/quan-tri/notifications/messagetemplate/", "/quan-tri/auth/user/",
                 f"/quan-tri/auth/user/{admin.pk}/change/", "/quan-tri/procedures/procedure/",
                 f"/quan-tri/procedures/procedure/{procedure.pk}/change/", "/quan-tri/procedures/agency/add/"):
        violations[path] = visit(page, base, path)
    # Django's own widgets draw themselves under the policy: the autocomplete (select2) opens its
    # dropdown and the two-box staff chooser (SelectFilter2) is built.
    page.click(".field-parent .select2-selection")
    page.wait_for_selector(".select2-results__option")
    page.keyboard.press("Escape")
    page.wait_for_selector(".selector-available")
    violations["agency's widgets"] = page.evaluate("() => window.__cspViolations")
    violations[f"/quan-tri/notifications/messagetemplate/{template.pk}/change/"] = visit(
        page, base, f"/quan-tri/notifications/messagetemplate/{template.pk}/change/")
    # The email's own inline styles apply inside its sandboxed frame (its response alone allows them),
    # and the admin page around it stays under the strict policy.
    frame = page.frame_locator("iframe.email-preview")
    frame.locator("h1").wait_for()
    assert frame.locator("body").evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(242, 244, 247)"
    assert "Kính gửi" in frame.locator("body").inner_text()
    assert page.eval_on_selector("iframe.email-preview", "f => getComputedStyle(f).height") == "520px"
    assert page.eval_on_selector("pre.message-text", "p => getComputedStyle(p).whiteSpace") == "pre-wrap"
    violations["after the preview"] = page.evaluate("() => window.__cspViolations")

    assert {path: found for path, found in violations.items() if found} == {}
    assert reports == []
    # The listener hears a real violation: an inline style attribute set by a script is refused.
    page.evaluate("() => document.body.setAttribute('style', 'color: red')")
    page.wait_for_function("() => window.__cspViolations.length > 0")
    assert page.evaluate("() => window.__cspViolations")[0].startswith("style-src-attr")
