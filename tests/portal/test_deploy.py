"""Secure by default (issue 17, row 1 and 11): the compose file's defaults, the shipped nginx
configuration run by a real nginx, gunicorn's limits, the secret key, ``check --deploy``."""

import http.server
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from tests.fixtures.services import service_missing

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
# The services of the default `docker compose up` (not the production profile's).
BASE_SERVICES = {name: service for name, service in COMPOSE["services"].items() if not service.get("profiles")}


def _environment(service):
    return COMPOSE["services"][service]["environment"]


# --- docker-compose.yml ------------------------------------------------------------------------------

def test_compose_refuses_to_start_without_a_secret_key():
    for service in ("web", "worker", "beat"):
        value = _environment(service)["SECRET_KEY"]
        assert value.startswith("${SECRET_KEY:?"), f"{service}: SECRET_KEY must be required, not {value!r}"


def test_compose_defaults_to_production_mode_without_demo_data_or_sandbox_gateway():
    env = _environment("web")
    assert env["PORTAL_LOCAL"] == "${PORTAL_LOCAL:-0}"
    assert env["SEED_DEMO"] == "${SEED_DEMO:-0}"
    assert env["PAYMENT_SANDBOX_ENABLED"] == "${PAYMENT_SANDBOX_ENABLED:-0}"
    assert env["SECURE_SSL_REDIRECT"] == "${SECURE_SSL_REDIRECT:-1}"
    command = COMPOSE["services"]["web"]["command"]
    # The demo seed runs only when asked for (and seed_demo itself refuses without PORTAL_LOCAL=1).
    assert 'if [ \\"$${SEED_DEMO}\\" = 1 ]; then python manage.py seed_demo; fi' in command
    assert command.count("seed_demo") == 1


def test_compose_binds_every_port_of_the_default_services_to_localhost():
    published = {name: service.get("ports", []) for name, service in BASE_SERVICES.items()}
    assert published["web"], "the web process is published (for the reverse proxy on the host)"
    for name, ports in published.items():
        for port in ports:
            assert str(port).startswith(("${WEB_BIND:-127.0.0.1}:", "127.0.0.1:")), \
                f"{name} publishes {port} on every interface"


def test_compose_passes_the_proxys_client_address_to_rate_limits_and_lockout():
    assert _environment("web")["CLIENT_IP_META_KEY"] == "${CLIENT_IP_META_KEY:-HTTP_X_REAL_IP}"
    assert "proxy_set_header X-Real-IP $remote_addr;" in NGINX_CONF.read_text()


def _run_settings(env_overrides, code):
    env = {key: value for key, value in os.environ.items()
           if key not in {"PORTAL_LOCAL", "DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "CAPTCHA_TEST_MODE",
                          "DJANGO_ALLOW_ASYNC_UNSAFE"}}  # the browser fixture's, never a server's
    env.update({"DJANGO_SETTINGS_MODULE": "portal.settings", **env_overrides})
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


def test_no_built_in_secret_key_outside_local_mode_even_with_debug():
    result = _run_settings({"DEBUG": "1"}, "import django; django.setup()")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    local = _run_settings({"PORTAL_LOCAL": "1"}, "import django; django.setup(); print('ok')")
    assert local.returncode == 0, local.stderr


def test_check_deploy_is_clean_in_production_mode():
    result = _run_settings({
        "SECRET_KEY": "x" * 40 + "-not-a-real-secret-but-long-and-random-enough",
        "PORTAL_LOCAL": "0", "ALLOWED_HOSTS": "dichvucong.example.gov.vn",
        "CACHE_URL": settings.CACHE_URL or "redis://127.0.0.1:6379/1",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL or "redis://127.0.0.1:6379/0",
    }, "import sys; from django.core.management import execute_from_command_line; "
       "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_are_secure_and_same_site():
    result = _run_settings({"SECRET_KEY": "y" * 50, "PORTAL_LOCAL": "0", "ALLOWED_HOSTS": "example.gov.vn"},
                           "import django; django.setup(); from django.conf import settings as s; "
                           "print([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.LANGUAGE_COOKIE_SECURE, "
                           "s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE, s.LANGUAGE_COOKIE_SAMESITE, "
                           "s.PAYMENT_SANDBOX_ENABLED, s.STAFF_TWO_FACTOR_REQUIRED])")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[True, True, True, 'Lax', 'Lax', 'Lax', False, True]"


# --- gunicorn -----------------------------------------------------------------------------------------

def test_gunicorn_limits_what_a_client_may_send():
    values = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), values)  # noqa: S102 - our own configuration file
    assert values["limit_request_line"] <= 4094
    assert values["limit_request_fields"] <= 100
    assert values["limit_request_field_size"] <= 8190
    assert 0 < values["timeout"] <= 60


# --- nginx ------------------------------------------------------------------------------------------

def _size(text):
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", text).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}[unit.lower()]


def test_nginx_body_limit_matches_the_apps_upload_limits():
    limits = re.findall(r"client_max_body_size\s+(\w+);", NGINX_CONF.read_text())
    assert limits == ["56m"]
    assert _size(limits[0]) == settings.MAX_REQUEST_BODY_BYTES
    assert settings.MAX_REQUEST_BODY_BYTES >= settings.UPLOAD_MAX_DOSSIER_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_a_body_over_the_apps_limit_gets_413_before_any_view(client):
    response = client.post("/tim-kiem/", data=b"x", content_type="application/octet-stream",
                           CONTENT_LENGTH=str(settings.MAX_REQUEST_BODY_BYTES + 1))
    assert response.status_code == 413
    assert "Dữ liệu gửi lên quá lớn" in response.content.decode()


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Backend(http.server.BaseHTTPRequestHandler):
    """Stands for the web process: records what nginx passed on."""

    seen = []

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        _Backend.seen.append({"path": self.path, "x-real-ip": self.headers.get("X-Real-IP"),
                              "proto": self.headers.get("X-Forwarded-Proto"), "length": length})
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def nginx_in_front():
    """The shipped deploy/nginx.conf, run by a real nginx on free ports in front of a recording backend."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(binary):
        service_missing("nginx not installed (apt-get install nginx-light)")
    backend_port, http_port, https_port = _free_port(), _free_port(), _free_port()
    backend = http.server.ThreadingHTTPServer(("127.0.0.1", backend_port), _Backend)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    _Backend.seen = []
    workdir = Path(tempfile.mkdtemp(prefix="nginx-test-"))
    workdir.chmod(0o777)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", str(workdir / "privkey.pem"), "-out", str(workdir / "fullchain.pem")],
                   check=True, capture_output=True)
    site = (NGINX_CONF.read_text()
            .replace("127.0.0.1:8000", f"127.0.0.1:{backend_port}")
            .replace("listen 80;", f"listen 127.0.0.1:{http_port};").replace("listen [::]:80;", "")
            .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
            .replace("listen [::]:443 ssl http2;", "")
            .replace("/etc/ssl/dichvucong/", f"{workdir}/")
            .replace("server_name dichvucong.example.gov.vn;", "server_name localhost;"))
    (workdir / "site.conf").write_text(site)
    (workdir / "nginx.conf").write_text(f"""
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {workdir}/body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    include {workdir}/site.conf;
}}
""")
    check = subprocess.run([binary, "-t", "-p", str(workdir), "-c", str(workdir / "nginx.conf")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([binary, "-p", str(workdir), "-c", str(workdir / "nginx.conf"), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", https_port), 0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield {"https": f"https://127.0.0.1:{https_port}", "http": f"http://127.0.0.1:{http_port}"}
    finally:
        process.terminate()
        process.wait(10)
        backend.shutdown()
        shutil.rmtree(workdir, ignore_errors=True)


def _open(url, *, data=None, headers=None):
    import ssl

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, context=context, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_nginx_sets_the_client_address_itself_and_refuses_oversized_bodies(nginx_in_front):
    # A client claiming another address in X-Real-IP: the backend sees the connection's address.
    assert _open(nginx_in_front["https"] + "/tim-kiem/", headers={"X-Real-IP": "203.0.113.99"}) == 200
    assert _Backend.seen[-1]["x-real-ip"] == "127.0.0.1"
    assert _Backend.seen[-1]["proto"] == "https"
    # Plain HTTP is only a redirect to HTTPS.
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(nginx_in_front["http"] + "/tim-kiem/", timeout=10)
    assert redirect.value.code == 301
    # A body within the limit reaches the app; one over it never does.
    within = b"x" * (settings.UPLOAD_MAX_DOSSIER_BYTES + 1024)
    assert _open(nginx_in_front["https"] + "/nop-ho-so/", data=within) == 200
    assert _Backend.seen[-1]["length"] == len(within)
    count = len(_Backend.seen)
    assert _open(nginx_in_front["https"] + "/nop-ho-so/", data=b"x" * (settings.MAX_REQUEST_BODY_BYTES + 1)) == 413
    assert len(_Backend.seen) == count


def test_the_image_speaks_the_captcha_with_noise():
    apt_lines = [line for line in (ROOT / "Dockerfile").read_text().splitlines() if "apt-get install" in line]
    assert any("flite" in line.split() and "sox" in line.split() for line in apt_lines)
