"""Two web nodes behind one "load balancer": no shared disk, shared PostgreSQL, Redis and S3 store.

A citizen uploads on node A and files on node B; the clerk signs in on node B and opens
the attachment on node A; the captcha issued by one node is answered on the other, and
the lookup's rate limit counts both nodes' requests together. Everything through HTTP
against real gunicorn processes (tests/multinode/nodes.py).
"""

import os
import re

import pytest
import requests
from captcha.models import CaptchaStore
from django.core.cache import cache

from dossiers.models import Dossier, DossierFile
from tests.backoffice.helpers import clerk
from tests.filing.support import APPLICANT, fileable_procedure, pdf_bytes
from tests.fixtures.celery_worker import database_url
from tests.fixtures.s3 import s3_server  # noqa: F401 - fixture
from tests.fixtures.services import redis_url  # noqa: F401 - fixture
from tests.multinode.nodes import Node, captcha_key, csrf_token

pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PASSWORD = "mat-khau-thu-nghiem-2026"   # tests.factories.UserFactory's


@pytest.fixture
def nodes(tmp_path, s3_server, redis_url):  # noqa: F811
    cache_url = os.environ.get("CACHE_URL", "")
    if not cache_url.startswith("redis://"):
        pytest.fail("the several-nodes test needs a shared Redis cache (set CACHE_URL=redis://…)", pytrace=False)
    cache.clear()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        "CACHE_URL": cache_url,
        "CAPTCHA_TEST_MODE": "0",          # the real captcha: issued on one node, checked on the other
        "STAFF_TWO_FACTOR_REQUIRED": "0",
        # An hour, not a minute: django-ratelimit counts in fixed windows, and four lookups a few
        # seconds long can straddle a minute's end, where the count starts again (seen once in CI).
        "LOOKUP_RATE": "3/h",
        "DEBUG": "0",
        **s3_server.environment(),
    }
    env.pop("REQUIRE_SERVICES", None)
    started = []
    try:
        for name in ("a", "b"):
            started.append(Node(name, tmp_path / f"node-{name}", env))
        yield started
    finally:
        for node in started:
            node.stop()
        cache.clear()


def answer(html):
    """The captcha's key on the page and its answer, as the citizen reads it from the image."""
    key = captcha_key(html)
    row = CaptchaStore.objects.filter(hashkey=key).first()
    if row is not None:     # django-simple-captcha's own design: a row per challenge
        return key, row.response
    from portal.captcha import challenge_of  # the portal's signed keys: no row, the same secret on every node

    return key, challenge_of(key)


def test_upload_on_one_node_file_on_the_other_and_the_clerk_opens_it_on_the_first(nodes, s3_server):  # noqa: F811
    node_a, node_b = nodes
    procedure = fileable_procedure()
    component = procedure.components.get()
    reception = clerk(procedure.agencies.get())
    content = pdf_bytes(200_000)
    browser = requests.Session()
    base = f"/nop-ho-so/{procedure.code}"

    page = browser.get(f"{node_a.url}{base}/")
    assert page.status_code == 200
    started = browser.post(f"{node_a.url}{base}/", data={"csrfmiddlewaretoken": csrf_token(page.text)})
    assert started.url.endswith("/to-khai/"), started.url
    declared = browser.post(f"{node_b.url}{base}/to-khai/",
                            data={**APPLICANT, "csrfmiddlewaretoken": csrf_token(started.text)})
    assert declared.url.endswith("/giay-to/"), declared.text[:2000]

    uploaded = browser.post(f"{node_a.url}{base}/giay-to/",
                            data={"csrfmiddlewaretoken": csrf_token(declared.text), "hanh-dong": "tiep-tuc"},
                            files={f"tp-{component.pk}": ("giay-to.pdf", content, "application/pdf")})
    assert uploaded.url.endswith("/xem-lai/"), uploaded.text[:2000]
    assert len(s3_server.keys()) == 1

    confirm = browser.get(f"{node_b.url}{base}/xac-nhan/")
    key, code = answer(confirm.text)
    token = re.search(r'name="submission_token" value="([^"]+)"', confirm.text).group(1)
    filed = browser.post(f"{node_b.url}{base}/xac-nhan/", data={
        "csrfmiddlewaretoken": csrf_token(confirm.text), "submission_token": token,
        "captcha_0": key, "captcha_1": code.upper(), "consent": "on"})
    assert "/da-nop/" in filed.url, filed.text[:3000]
    dossier = Dossier.objects.get()
    attachment = DossierFile.objects.get(dossier=dossier)
    assert s3_server.keys() == [attachment.file.name]

    # The clerk signs in on node B; the session works on node A, which streams the file from the store.
    clerk_browser = requests.Session()
    login = clerk_browser.get(f"{node_b.url}/quan-tri/login/")
    signed_in = clerk_browser.post(f"{node_b.url}/quan-tri/login/?next=/quan-tri/", data={
        "csrfmiddlewaretoken": csrf_token(login.text), "username": reception.username, "password": PASSWORD,
        "next": "/quan-tri/"})
    assert signed_in.url.rstrip("/").endswith("/quan-tri"), signed_in.text[:2000]
    download = clerk_browser.get(f"{node_a.url}/quan-tri/dossiers/dossier/{dossier.pk}/tep/{attachment.pk}/")
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["Content-Type"] == "application/pdf"

    # No node kept anything on its own disk.
    assert node_a.files_on_disk() == [] and node_b.files_on_disk() == []


def test_captcha_and_rate_limit_are_shared_by_the_nodes(nodes):
    node_a, node_b = nodes
    browser = requests.Session()

    def lookup(issuing, answering):
        page = browser.get(f"{issuing.url}/tim-kiem/")
        key, code = answer(page.text)
        return browser.post(f"{answering.url}/tim-kiem/", data={
            "csrfmiddlewaretoken": csrf_token(page.text), "ma": "000.00.00.H26-261201-0001",
            "captcha_0": key, "captcha_1": code})

    # LOOKUP_RATE is 3 an hour per client address, wherever the requests land.
    first = lookup(node_a, node_b)
    assert first.status_code == 200 and "Mã xác nhận không đúng" not in first.text
    assert lookup(node_b, node_a).status_code == 200
    assert lookup(node_a, node_a).status_code == 200
    refused = lookup(node_b, node_b)
    assert refused.status_code == 429
    assert "quá nhiều lần" in refused.text

    # A captcha is answered once: replayed on the other node it is refused.
    page = browser.get(f"{node_a.url}/tim-kiem/")
    key, code = answer(page.text)
    cache.clear()
    data = {"csrfmiddlewaretoken": csrf_token(page.text), "ma": "000.00.00.H26-261201-0001",
            "captcha_0": key, "captcha_1": code}
    assert "Mã xác nhận không đúng" not in browser.post(f"{node_a.url}/tim-kiem/", data=data).text
    assert "Mã xác nhận không đúng" in browser.post(f"{node_b.url}/tim-kiem/", data=data).text
