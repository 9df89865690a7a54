"""The Content-Security-Policy allows no inline code at all (issue 17): no 'unsafe-inline' for scripts
or styles, on the public pages and in the back office; the templates and scripts carry no style=""
attribute for it to refuse. The one response with a relaxed policy is the email preview of a message
template, shown in a sandboxed frame, and it allows style attributes and nothing else."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from dossiers.workflow import Event
from notifications.models import Channel, MessageTemplate
from tests.backoffice.helpers import agency_with_procedure, filed, leader

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*["'{]""", re.I)


def directives(response):
    policy = response["Content-Security-Policy"]
    return dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip())


def assert_strict(response, path):
    assert response.status_code == 200, path
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy and "unsafe-hashes" not in policy, path
    found = directives(response)
    assert found["style-src"] == "'self'" and found["script-src"] == "'self'", path
    # No directive of its own for attributes or elements: they fall back to style-src 'self'.
    assert not {"style-src-attr", "style-src-elem", "script-src-attr", "script-src-elem"} & found.keys(), path


def test_public_pages_send_a_policy_without_unsafe_inline(client):
    agency, procedure = agency_with_procedure(service_level=3)
    dossier = filed(procedure, agency)
    for path in ("/", "/thu-tuc/", procedure.get_absolute_url(), f"/nop-ho-so/{procedure.code}/", "/tim-kiem/",
                 dossier.get_lookup_url(), "/thong-ke/", "/quan-tri/login/"):
        assert_strict(client.get(path), path)


def test_the_back_office_sends_the_same_policy(client, admin_client):
    agency, procedure = agency_with_procedure(service_level=3)
    dossier = filed(procedure, agency)
    client.force_login(leader(agency, username="lanhdao.csp"))
    for path in ("/quan-tri/", "/quan-tri/dossiers/dossier/", f"/quan-tri/dossiers/dossier/{dossier.pk}/change/",
                 "/quan-tri/payments/payment/", "/quan-tri/payments/payment/doi-soat/",
                 "/quan-tri/notifications/notification/", "/quan-tri/audit/auditentry/"):
        assert_strict(client.get(path), path)
    # What only a superuser opens: the ratings' summary, the message templates, the users.
    for path in ("/quan-tri/dossiers/rating/", "/quan-tri/notifications/messagetemplate/", "/quan-tri/auth/user/"):
        assert_strict(admin_client.get(path), path)


def test_no_template_python_html_or_script_sets_a_style_attribute():
    """Under the policy a style="" attribute is refused: the rules live in static/css."""
    offenders = []
    for folder in [ROOT / "templates", *ROOT.glob("*/templates")]:
        for path in folder.rglob("*.html"):
            # The HTML email is read in a mail client (and previewed in its own frame, below).
            if path.name == "email.html" and path.parent.name == "notifications":
                continue
            if STYLE_ATTRIBUTE.search(path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(ROOT)))
    for app in ("portal", "procedures", "dossiers", "filing", "tracking", "accounts", "backoffice", "notifications",
                "payments", "reporting", "national_portal", "esign", "retention", "audit"):
        for path in (ROOT / app).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            # format_html("<pre style='…'>") and the like; comments that mention style="" are fine.
            code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
            if re.search(r"""<[a-z][^>]*\sstyle\s*=\s*\\?["']""", code, re.I):
                offenders.append(str(path.relative_to(ROOT)))
    for path in (ROOT / "static" / "js").rglob("*.js"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"""setAttribute\(\s*["']style|\.style\.cssText|style\s*=\s*\\?["']""", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_the_email_preview_is_the_one_response_allowing_style_attributes(admin_client):
    template = MessageTemplate.objects.create(event=Event.RECEIVED, channel=Channel.EMAIL, language="vi",
                                              subject="Hồ sơ {{ code }} đã được tiếp nhận",
                                              body="Kính gửi {{ applicant_name }}, hồ sơ đã được tiếp nhận.")
    change = admin_client.get(reverse("admin:notifications_messagetemplate_change", args=[template.pk]))
    assert_strict(change, "template change page")
    preview_url = reverse("admin:notifications_messagetemplate_email_preview", args=[template.pk])
    page = change.content.decode()
    assert f'<iframe class="email-preview" sandbox src="{preview_url}"' in page
    assert "srcdoc" not in page

    preview = admin_client.get(preview_url)
    assert preview.status_code == 200
    assert "Kính gửi" in preview.content.decode() and 'style="' in preview.content.decode()
    found = directives(preview)
    assert found["style-src-attr"] == "'unsafe-inline'"
    assert found["default-src"] == "'none'"          # so no script, no style sheet, no connection
    assert "script-src" not in found and "'unsafe-inline'" not in found.get("style-src", "")
    assert found["frame-ancestors"] == "'self'" and preview["X-Frame-Options"] == "SAMEORIGIN"


def test_the_email_preview_answers_only_whoever_may_see_the_template(client, admin_client):
    sms = MessageTemplate.objects.create(event=Event.RECEIVED, channel=Channel.SMS, language="vi", body="Hồ sơ {{ code }}")
    assert admin_client.get(reverse("admin:notifications_messagetemplate_email_preview", args=[sms.pk])).status_code == 404
    assert admin_client.get(reverse("admin:notifications_messagetemplate_email_preview", args=[999999])).status_code == 404
    email = MessageTemplate.objects.create(event=Event.RECEIVED, channel=Channel.EMAIL, language="en",
                                           subject="Dossier {{ code }}", body="Received.")
    agency, _procedure = agency_with_procedure()
    client.force_login(leader(agency, username="lanhdao.khong.mau"))
    response = client.get(reverse("admin:notifications_messagetemplate_email_preview", args=[email.pk]))
    assert response.status_code in (403, 404)
    client.logout()
    response = client.get(reverse("admin:notifications_messagetemplate_email_preview", args=[email.pk]))
    assert response.status_code == 302 and "/quan-tri/login/" in response["Location"]


def test_no_admin_list_makes_django_write_its_inline_style_element():
    """Django's admin/change_list.html writes a <style> element (refused by the policy) for a list with
    no actions bar at all (actions_on_top and actions_on_bottom both off): no list of ours does that."""
    from django.contrib import admin

    offenders = [f"{model._meta.label}" for model, model_admin in admin.site._registry.items()
                 if not model_admin.actions_on_top and not model_admin.actions_on_bottom]
    assert offenders == []
