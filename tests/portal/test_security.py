"""Site-wide hardening (issue 17): headers, cookies, no-store, 400 for malformed input, session
lifetimes, the lockout by username and address together, the captcha's limits and noise."""

import re
import shutil
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.urls import reverse

from portal.captcha import new_key
from portal.security import SESSION_LAST_SEEN, SESSION_STAFF_SINCE, client_ip
from tests.factories import UserFactory
from tests.filing.support import file_through_wizard, fileable_procedure
from tests.fixtures.services import service_missing

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


# --- Headers --------------------------------------------------------------------------------------------

def test_every_page_has_a_strict_content_security_policy_and_permissions_policy(client):
    for path in ("/", "/thu-tuc/", "/tim-kiem/", "/quan-tri/login/"):
        response = client.get(path)
        policy = response["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["script-src"] == "'self'", path          # no inline script, no eval
        assert directives["default-src"] == "'self'"
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert directives["base-uri"] == "'none'"
        assert "unsafe-inline" not in directives["style-src"]
        permissions = response["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in permissions, (path, feature)


def test_no_template_has_an_inline_script_or_event_handler():
    """The CSP would block them: every script is a static file (static/js/portal.js)."""
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)
    offenders = []
    for folder in [ROOT / "templates", *ROOT.glob("*/templates")]:
        for path in folder.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            if inline_script.search(text) or handler.search(text) or "<style" in text:
                offenders.append(str(path.relative_to(ROOT)))
    # The HTML email is read in a mail client, never served under the CSP.
    assert [path for path in offenders if not path.endswith("notifications/email.html")] == []


def test_pages_with_personal_data_are_never_stored_and_the_catalogue_may_be(client):
    procedure = fileable_procedure()
    response = file_through_wizard(client, procedure)
    assert response.status_code == 302
    for path in (response["Location"], response["Location"] + "bien-nhan/", "/tim-kiem/",
                 reverse("filing:start", args=[procedure.code]), "/quan-tri/login/"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"], path
    assert "no-store" not in client.get("/thu-tuc/").get("Cache-Control", "")


def test_every_cookie_is_same_site_and_secure_with_the_production_flags(client, settings):
    # The production values (tests/portal/test_deploy.py checks PORTAL_LOCAL=0 sets them).
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = settings.LANGUAGE_COOKIE_SECURE = True
    procedure = fileable_procedure()
    responses = [client.get("/ngon-ngu/?language=en&next=/"), client.get("/tim-kiem/"),
                 client.post(reverse("filing:start", args=[procedure.code]))]
    cookies = {name: morsel for response in responses for name, morsel in response.cookies.items()}
    assert {django_settings.LANGUAGE_COOKIE_NAME, django_settings.SESSION_COOKIE_NAME,
            django_settings.CSRF_COOKIE_NAME} <= set(cookies)
    for name, morsel in cookies.items():
        assert morsel["secure"], name
        assert morsel["samesite"] == "Lax", name
    assert cookies[django_settings.LANGUAGE_COOKIE_NAME]["httponly"]
    assert cookies[django_settings.SESSION_COOKIE_NAME]["httponly"]


# --- 400, not 500 -------------------------------------------------------------------------------------

def test_a_malformed_submission_token_gets_400_not_500(client):
    procedure = fileable_procedure()
    client.post(reverse("filing:start", args=[procedure.code]))
    for token in ("not-a-uuid", "1' OR '1'='1", "x" * 5000, ""):
        response = client.post(reverse("filing:confirm", args=[procedure.code]),
                               {"submission_token": token, "captcha_0": "k", "captcha_1": "PASSED", "consent": "on"})
        assert response.status_code == 400, token
        assert "Yêu cầu không hợp lệ" in response.content.decode()
    # A well-formed token of no draft of this browser: the session is over, start again.
    response = client.post(reverse("filing:confirm", args=[procedure.code]),
                           {"submission_token": "8d3e4c1a-5b6f-4a7e-9c2d-1e0f3a4b5c6d"})
    assert response.status_code == 302


@pytest.mark.parametrize("path", [
    "/thu-tuc/%00/", "/nop-ho-so/1.0%00/", "/tim-kiem/%00abc/", "/bo-sung/%00/",
    "/ket-qua/abc%00/", "/danh-gia/%01/", "/thanh-toan/%00/", "/quan-tri/dossiers/dossier/%00/change/",
])
def test_control_characters_anywhere_get_the_400_page(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()


@pytest.mark.parametrize("path", [
    "/tim-kiem/khong-phai-ma/", "/bo-sung/abc/", "/ket-qua/eyJ4IjoxfQ:abc:def/", "/danh-gia/../../etc/passwd/",
    "/thanh-toan/" + "A" * 3000 + "/", "/nop-ho-so/%E2%80%AE/da-nop/x/", "/tim-kiem/?ma=%00",
])
def test_malformed_tokens_and_ids_never_answer_500(client, path):
    assert client.get(path).status_code in (200, 400, 404, 410)


# --- Client address -----------------------------------------------------------------------------------

def test_the_client_address_comes_from_the_proxys_header_and_garbage_falls_back(rf, settings):
    settings.CLIENT_IP_META_KEY = "HTTP_X_REAL_IP"
    assert client_ip(rf.get("/", HTTP_X_REAL_IP="203.0.113.5", REMOTE_ADDR="10.0.0.2")) == "203.0.113.5"
    assert client_ip(rf.get("/", HTTP_X_REAL_IP="<script>", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
    settings.CLIENT_IP_META_KEY = "REMOTE_ADDR"
    assert client_ip(rf.get("/", HTTP_X_REAL_IP="203.0.113.5", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"


# --- Lockout ------------------------------------------------------------------------------------------

def _login(client, username, password, address):
    return client.post("/quan-tri/login/?next=/quan-tri/", {"username": username, "password": password},
                       REMOTE_ADDR=address)


def test_a_stranger_cannot_lock_a_clerk_out_from_elsewhere(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="canbo.khoa")
    for _ in range(3):
        _login(client, "canbo.khoa", "sai-mat-khau", "198.51.100.66")
    locked = _login(client, "canbo.khoa", "mat-khau-thu-nghiem-2026", "198.51.100.66")
    assert locked.status_code == 429                      # the attacker's address is locked for this user
    # The clerk at their own desk signs in as usual.
    allowed = _login(client, "canbo.khoa", "mat-khau-thu-nghiem-2026", "203.0.113.10")
    assert allowed.status_code == 302 and allowed["Location"] == "/quan-tri/"


def test_the_lockout_uses_the_proxys_client_address(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.CLIENT_IP_META_KEY = "HTTP_X_REAL_IP"
    UserFactory(username="canbo.proxy")
    for _ in range(2):
        client.post("/quan-tri/login/", {"username": "canbo.proxy", "password": "sai"},
                    REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="198.51.100.1")
    # Same proxy, another citizen's address: not locked.
    response = client.post("/quan-tri/login/?next=/quan-tri/", {"username": "canbo.proxy",
                                                                "password": "mat-khau-thu-nghiem-2026"},
                           REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="198.51.100.2")
    assert response.status_code == 302


# --- Session lifetimes ----------------------------------------------------------------------------------

def _age_session(client, **seconds_ago):
    session = SessionStore(session_key=client.cookies[django_settings.SESSION_COOKIE_NAME].value)
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_a_clerks_session_ends_after_30_minutes_idle(client):
    client.force_login(UserFactory(username="canbo.ngoi"))
    assert client.get("/quan-tri/").status_code == 200
    _age_session(client, **{SESSION_LAST_SEEN: 29 * 60})
    assert client.get("/quan-tri/").status_code == 200      # still within the half hour
    _age_session(client, **{SESSION_LAST_SEEN: 31 * 60})
    response = client.get("/quan-tri/")
    assert response.status_code == 302 and "/quan-tri/login/" in response["Location"]


def test_a_clerks_session_ends_10_hours_after_sign_in_however_busy(client):
    client.force_login(UserFactory(username="canbo.banron"))
    assert client.get("/quan-tri/").status_code == 200
    _age_session(client, **{SESSION_STAFF_SINCE: 10 * 3600 + 60, SESSION_LAST_SEEN: 10})
    response = client.get("/quan-tri/")
    assert response.status_code == 302 and "/quan-tri/login/" in response["Location"]


def test_a_citizens_session_ends_after_2_hours_idle(client):
    procedure = fileable_procedure()
    client.post(reverse("filing:start", args=[procedure.code]))
    declaration = reverse("filing:declaration", args=[procedure.code])
    assert client.get(declaration).status_code == 200
    _age_session(client, **{SESSION_LAST_SEEN: 2 * 3600 - 60})
    assert client.get(declaration).status_code == 200
    _age_session(client, **{SESSION_LAST_SEEN: 2 * 3600 + 60})
    response = client.get(declaration)
    assert response.status_code == 302 and response["Location"].endswith(f"/nop-ho-so/{procedure.code}/")


def test_session_cookies_last_no_longer_than_the_idle_limit(client):
    client.force_login(UserFactory(username="canbo.cookie"))
    response = client.get("/quan-tri/")
    assert int(response.cookies[django_settings.SESSION_COOKIE_NAME]["max-age"]) == 30 * 60
    assert django_settings.SESSION_COOKIE_AGE == 2 * 3600


# --- Captcha --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "setting", "kwargs", "headers"), [
    ("captcha-image", "CAPTCHA_IMAGE_RATE", lambda: {"key": new_key()}, {}),
    ("captcha-refresh", "CAPTCHA_REFRESH_RATE", lambda: {}, {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}),
    ("captcha-audio", "CAPTCHA_AUDIO_RATE", lambda: {"key": new_key()}, {}),
])
def test_captcha_image_audio_and_refresh_are_limited_per_address(client, settings, name, setting, kwargs, headers):
    if name == "captcha-audio":
        settings.CAPTCHA_FLITE_PATH = shutil.which("flite") or settings.CAPTCHA_FLITE_PATH
        if not settings.CAPTCHA_FLITE_PATH:
            service_missing("flite not installed (apt-get install flite)")
    setattr(settings, setting, "3/m")
    for _ in range(3):
        assert client.get(reverse(name, kwargs=kwargs()), REMOTE_ADDR="198.51.100.30", **headers).status_code == 200
    refused = client.get(reverse(name, kwargs=kwargs()), REMOTE_ADDR="198.51.100.30", **headers)
    assert refused.status_code == 429
    # Another address is not affected.
    assert client.get(reverse(name, kwargs=kwargs()), REMOTE_ADDR="198.51.100.31", **headers).status_code == 200


def _audio(client, key):
    response = client.get(reverse("captcha-audio", kwargs={"key": key}))
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_spoken_captcha_has_noise_and_differs_every_time(client, settings, tmp_path):
    flite, sox = shutil.which("flite"), shutil.which("sox")
    if not flite or not sox:
        service_missing("flite and sox needed (apt-get install flite sox)")
    import subprocess

    settings.CAPTCHA_FLITE_PATH, settings.CAPTCHA_SOX_PATH = flite, sox
    key = new_key()
    first, second = _audio(client, key), _audio(client, key)
    assert first[:4] == b"RIFF" and second[:4] == b"RIFF"
    assert first != second                    # the same code never gives the same recording
    # flite alone is deterministic: that is what a solver could match against.
    plain = []
    for index in range(2):
        out = tmp_path / f"plain{index}.wav"
        subprocess.run([flite, "-t", "A, B, C", "-o", str(out)], check=True)
        plain.append(out.read_bytes())
    assert plain[0] == plain[1]
