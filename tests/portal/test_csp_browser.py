"""The Content-Security-Policy as a browser enforces it (issue 17): public pages and the clerk's admin
pages load without a single violation, so no script, style or frame the portal relies on is blocked."""

import pytest

from tests.backoffice.helpers import agency_with_procedure, clerk, filed

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.mark.django_db(transaction=True)
def test_no_page_breaks_the_content_security_policy(page, live_server):
    agency, procedure = agency_with_procedure(service_level=3)
    dossier = filed(procedure, agency)
    user = clerk(agency, username="canbo.csp")
    violations = []
    page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text else None)

    for path in ("/", "/thu-tuc/", procedure.get_absolute_url(), f"/nop-ho-so/{procedure.code}/",
                 dossier.get_lookup_url(), "/quan-tri/login/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "mat-khau-thu-nghiem-2026")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/quan-tri/")
    for path in ("/quan-tri/", "/quan-tri/dossiers/dossier/", f"/quan-tri/dossiers/dossier/{dossier.pk}/change/",
                 f"/quan-tri/dossiers/dossier/{dossier.pk}/phieu/tiep-nhan/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
    # The captcha's "another code" works under the policy (static/js/portal.js, fetch to 'self').
    page.goto(f"{live_server.url}/tim-kiem/")
    before = page.get_attribute("img.captcha", "src")
    page.click("a.captcha-refresh")
    page.wait_for_function("src => document.querySelector('img.captcha').getAttribute('src') !== src", arg=before)
    assert violations == []
    # And the policy is really enforced (and reported): an injected inline script does not run.
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
                  " document.head.appendChild(s); }")
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected") is None
    assert len(violations) == 1 and "inline script" in violations[0]
