"""The public pages' cache (procedures/pagecache.py): fresh after every catalogue change, never personal,
never a CSRF token, never one language's page for another.

The cache is the real one of the settings (Redis with CACHE_URL, as in CI and production; local
memory otherwise). The test settings turn the page cache off; these tests turn it on.
"""

import datetime
import re
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portal.management.commands.seed_demo import ensure_catalogue_admin_group
from procedures import pagecache
from procedures.models import FormTemplate
from procedures.pagecache import VERSION_KEY, catalogue_changed
from reporting.services import refresh_month
from reporting.tasks import refresh_statistics as refresh_task
from tests.factories import AgencyFactory, ComponentFactory, FeeFactory, ProcedureFactory, UserFactory
from tests.reporting.helpers import at, dossier_at, receive

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600
    catalogue_changed()  # nothing stored by an earlier test (its rows are rolled back) is served


@pytest.fixture
def procedure():
    return ProcedureFactory(name="Đăng ký khai sinh", code="1.001193")


def served_from_cache(client, path, django_assert_num_queries, **extra):
    """The page, asserting it cost no query at all (so it came from the cache)."""
    with django_assert_num_queries(0):
        response = client.get(path, **extra)
    assert response.status_code == 200
    return response.content.decode()


PAGES = ["/", "/thu-tuc/", "/thu-tuc/?q=khai+sinh", "/thu-tuc/1.001193/"]
# The public statistics (reporting/views.py) are public pages of the same cache.
STATISTICS_PAGES = ["/thong-ke/", "/thong-ke/?nam=2026&thang=4"]
HTML_PAGES = PAGES + STATISTICS_PAGES


@pytest.mark.parametrize("path", PAGES)
def test_an_anonymous_page_is_served_from_the_cache_the_second_time(client, procedure, path,
                                                                     django_assert_num_queries):
    first = client.get(path).content.decode()
    assert served_from_cache(Client(), path, django_assert_num_queries) == first
    assert "Đăng ký khai sinh" in first


@pytest.mark.parametrize("path", [*HTML_PAGES, "/thong-ke/tai-ve.csv?nam=2026"])
def test_no_cacheable_page_carries_a_csrf_token_or_sets_a_cookie(client, procedure, path):
    response = client.get(path)
    again = Client().get(path)
    for answer in (response, again):
        assert "csrfmiddlewaretoken" not in answer.content.decode()
        assert not answer.cookies
        assert "Accept-Language" not in answer.get("Vary", "")
        assert "Cookie" in answer["Vary"]  # a shared cache downstream keeps the languages apart


def test_a_clerk_added_to_an_agency_keeps_the_pages_in_the_cache(procedure, django_assert_num_queries):
    """The agency's staff is shown on no public page: adding a clerk (the user's form does it) is no change."""
    for path in PAGES:
        Client().get(path)
    procedure.agencies.get().staff.add(UserFactory())
    for path in PAGES:
        served_from_cache(Client(), path, django_assert_num_queries)
    procedure.agencies.get().save()  # the agency itself: a change, and the page is rendered again
    with CaptureQueriesContext(connection) as render:
        Client().get("/")
    assert len(render)


def test_the_query_string_is_part_of_the_key(client, procedure):
    ProcedureFactory(name="Cấp giấy phép xây dựng", code="1.009999")
    assert "Cấp giấy phép xây dựng" not in client.get("/thu-tuc/?q=khai+sinh").content.decode()
    page = client.get("/thu-tuc/?q=giay+phep").content.decode()
    assert "Cấp giấy phép xây dựng" in page and "Đăng ký khai sinh" not in page


@pytest.mark.parametrize("path", HTML_PAGES)
def test_one_language_is_never_served_for_the_other(procedure, path):
    vietnamese, english = Client(), Client()
    english.cookies["django_language"] = "en"
    for first, second in ((vietnamese, english), (english, vietnamese)):
        catalogue_changed()
        pages = {id(visitor): visitor.get(path) for visitor in (first, second, first, second)}
        assert pages[id(vietnamese)]["Content-Language"] == "vi"
        assert '<html lang="vi">' in pages[id(vietnamese)].content.decode()
        assert pages[id(english)]["Content-Language"] == "en"
        assert '<html lang="en">' in pages[id(english)].content.decode()


def test_the_switcher_needs_no_csrf_token_and_keeps_the_page(client, procedure):
    response = client.get("/ngon-ngu/", {"language": "en", "next": "/thu-tuc/?q=khai+sinh"})
    assert response.status_code == 302
    assert response["Location"] == "/thu-tuc/?q=khai+sinh"
    page = client.get(response["Location"])
    assert page["Content-Language"] == "en"
    assert 'action="/ngon-ngu/"' in page.content.decode()
    client.get("/ngon-ngu/", {"language": "vi", "next": "/"})
    assert client.get("/")["Content-Language"] == "vi"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)",
                                    "http://testserver.evil.example/", ""])
def test_the_switcher_never_sends_the_visitor_elsewhere(client, target):
    response = client.get("/ngon-ngu/", {"language": "en", "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_switcher_ignores_an_unknown_language(client):
    response = client.get("/ngon-ngu/", {"language": "<script>", "next": "/"})
    assert response.status_code == 302
    assert "django_language" not in response.cookies


@pytest.mark.parametrize("path", ["/thu-tuc/?muc_do=9", "/thong-ke/?nam=1990&co_quan=x"])
def test_a_page_reporting_ignored_filters_is_not_stored(client, procedure, path):
    first = client.get(path)
    assert "private" in first["Cache-Control"]
    second = Client().get(path)
    assert "private" in second["Cache-Control"]  # rendered again, not taken from the cache


def test_a_signed_in_visitor_is_never_served_a_stored_page_and_never_stores_one(procedure,
                                                                                  django_assert_max_num_queries):
    clerk = Client()
    clerk.force_login(get_user_model().objects.create_user("can.bo", password="mat-khau-can-bo-2026"))
    clerk.get("/thu-tuc/1.001193/")
    anonymous = Client()
    anonymous.get("/thu-tuc/1.001193/")  # stored now, by the anonymous visitor
    response = clerk.get("/thu-tuc/1.001193/")
    assert response.status_code == 200
    assert "Cookie" in response["Vary"]
    # The signed-in page was rendered for the clerk (the session was read), not taken from the cache.
    assert response.wsgi_request.session.accessed


def test_a_flash_message_is_shown_to_its_visitor_only(procedure):
    citizen = Client()
    # A wizard step without a draft warns and sends the citizen back; the warning waits in a cookie.
    citizen.get("/nop-ho-so/1.001193/xac-nhan/")
    assert "messages" in citizen.cookies
    home = citizen.get("/").content.decode()
    assert "Phiên khai hồ sơ đã hết hạn" in home
    assert "Phiên khai hồ sơ đã hết hạn" not in Client().get("/").content.decode()
    assert "Phiên khai hồ sơ đã hết hạn" not in citizen.get("/").content.decode()  # shown once


# --- Invalidation: a catalogue administrator's save shows on the very next request ------------------

@pytest.fixture
def administrator(procedure):
    user = get_user_model().objects.create_user("quantri.danhmuc", password="mat-khau-quan-tri-2026", is_staff=True)
    user.groups.add(ensure_catalogue_admin_group())
    admin = Client()
    admin.force_login(user)
    return admin


def _change(admin, model, pk, data):
    response = admin.post(f"/quan-tri/procedures/{model}/{pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]


def _procedure_form(procedure, **overrides):
    data = {
        "code": procedure.code, "name": procedure.name, "sector": procedure.sector_id, "tier": procedure.tier_id,
        "service_level": "1", "is_published": "on", "for_citizens": "on", "processing_days": "3",
        "steps": "Bước 1", "submission_methods": "Trực tiếp", "conditions": "", "processing_note": "",
        "fee_note": "", "result": "Giấy khai sinh", "legal_basis": "Luật",
        "agencies": [agency.pk for agency in procedure.agencies.all()],
        "fees-TOTAL_FORMS": "0", "fees-INITIAL_FORMS": "0",
        "components-TOTAL_FORMS": "0", "components-INITIAL_FORMS": "0",
        "declaration_fields-TOTAL_FORMS": "0", "declaration_fields-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_a_procedure_saved_in_the_admin_shows_on_the_very_next_request(administrator, procedure,
                                                                        django_assert_num_queries):
    for path in PAGES[:3]:
        Client().get(path)
    served_from_cache(Client(), "/thu-tuc/", django_assert_num_queries)
    _change(administrator, "procedure", procedure.pk, _procedure_form(procedure, name="Đăng ký khai tử mới"))
    for path in ["/", "/thu-tuc/", "/thu-tuc/1.001193/"]:
        page = Client().get(path).content.decode()
        assert "Đăng ký khai tử mới" in page, path


def test_unpublishing_from_the_list_shows_on_the_very_next_request(administrator, procedure):
    assert "1.001193" in Client().get("/thu-tuc/").content.decode()
    response = administrator.post("/quan-tri/procedures/procedure/", {
        "action": "unpublish", "_selected_action": [procedure.pk]})
    assert response.status_code == 302
    assert "1.001193" not in Client().get("/thu-tuc/").content.decode()
    assert Client().get("/thu-tuc/1.001193/").status_code == 404


def test_an_agency_saved_in_the_admin_shows_on_the_very_next_request(administrator, procedure):
    agency = procedure.agencies.get()
    assert agency.phone in Client().get("/thu-tuc/1.001193/").content.decode()
    _change(administrator, "agency", agency.pk, {
        "name": agency.name, "tier": agency.tier_id, "identifier_code": agency.identifier_code,
        "address": agency.address, "phone": "024 9999 0000", "email": agency.email,
        "opening_hours": agency.opening_hours, "is_active": "on"})
    assert "024 9999 0000" in Client().get("/thu-tuc/1.001193/").content.decode()


def test_a_sector_saved_in_the_admin_shows_on_the_very_next_request(administrator, procedure):
    Client().get("/thu-tuc/")
    _change(administrator, "sector", procedure.sector_id, {"name": "Hộ tịch và chứng thực", "slug": "ho-tich"})
    assert "Hộ tịch và chứng thực" in Client().get("/thu-tuc/").content.decode()


def test_a_tier_saved_in_the_admin_shows_on_the_very_next_request(administrator, procedure):
    Client().get("/")
    tier = procedure.tier
    _change(administrator, "jurisdictiontier", tier.pk, {
        "slug": tier.slug, "name": tier.name, "submit_label": "Nộp tại phường, xã mới", "order": tier.order})
    assert "Nộp tại phường, xã mới" in Client().get("/").content.decode()


def test_fees_and_form_templates_change_the_page_at_once(procedure, files_dir):
    # Fees and form templates are edited as inlines of the procedure; their own saves invalidate.
    Client().get("/thu-tuc/1.001193/")
    FeeFactory(procedure=procedure, name="Lệ phí cấp bản sao", amount=8000)
    assert "Lệ phí cấp bản sao" in Client().get("/thu-tuc/1.001193/").content.decode()
    component = ComponentFactory(procedure=procedure, name="Tờ khai đăng ký")
    Client().get("/thu-tuc/1.001193/")
    FormTemplate.objects.create(component=component, title="Mẫu tờ khai mới nhất",
                                file=SimpleUploadedFile("to-khai.docx", b"PK"))
    assert "Mẫu tờ khai mới nhất" in Client().get("/thu-tuc/1.001193/").content.decode()


def test_a_new_agency_for_the_procedure_shows_at_once(procedure):
    Client().get("/thu-tuc/1.001193/")
    procedure.agencies.add(AgencyFactory(tier=procedure.tier, name="UBND phường Mới Thành Lập"))
    assert "UBND phường Mới Thành Lập" in Client().get("/thu-tuc/1.001193/").content.decode()


@pytest.mark.parametrize("path", HTML_PAGES)
def test_a_stored_page_carries_the_headers_it_was_rendered_with(client, procedure, path, django_assert_num_queries):
    first = client.get(path)
    again = Client().get(path)
    with django_assert_num_queries(0):
        Client().get(path)
    for header in ("Content-Security-Policy", "Permissions-Policy", "Content-Language", "Content-Type",
                   "X-Frame-Options", "Vary"):
        assert again[header] == first[header], header


def test_while_the_shared_cache_is_down_no_page_is_stored_or_served(settings, procedure):
    # Redis is unreachable (a closed port): portal.cache answers from this process's memory, which
    # never hears of a change made through another process, so the pages are rendered every time.
    settings.CACHES = {**settings.CACHES, "pages": {"BACKEND": "portal.cache.RedisCacheWithLocalFallback",
                                   "LOCATION": "redis://127.0.0.1:9/0", "OPTIONS": {"retry_seconds": 60}}}
    assert "Đăng ký khai sinh" in Client().get("/thu-tuc/1.001193/").content.decode()
    # Another process renames the procedure; this one cannot be told (no shared version).
    type(procedure).objects.filter(pk=procedure.pk).update(name="Đăng ký khai sinh lưu động")
    assert "Đăng ký khai sinh lưu động" in Client().get("/thu-tuc/1.001193/").content.decode()


# --- The public statistics: fresh after each refresh of the fact table -----------------------------

def _statistics_figures(path):
    """The key figures of a statistics page: {label: value}."""
    html = Client().get(path).content.decode()
    return dict(re.findall(r"<div><dt>([^<]+)</dt><dd>([^<]+)</dd></div>", html))


def test_a_statistics_page_is_served_from_the_cache_and_fresh_after_each_refresh(procedure,
                                                                                 django_assert_num_queries):
    agency = procedure.agencies.get()
    path = "/thong-ke/?nam=2026&thang=4"
    csv_path = "/thong-ke/tai-ve.csv?nam=2026&thang=4"
    refresh_month(2026, 4, now=at(2026, 5, 2))
    assert _statistics_figures(path)["Hồ sơ tiếp nhận"] == "0"
    before_csv = Client().get(csv_path).content
    served_from_cache(Client(), path, django_assert_num_queries)
    with django_assert_num_queries(0):
        assert Client().get(csv_path).content == before_csv
    # Two dossiers received in April; the periodic job (hourly) counts them: the next request shows them.
    for day in (6, 7):
        dossier = dossier_at(agency, procedure, submitted=at(2026, 4, day))
        receive(dossier, at(2026, 4, day, 10), datetime.date(2026, 4, 20))
    assert _statistics_figures(path)["Hồ sơ tiếp nhận"] == "0"  # the fact table was not refreshed yet
    refresh_task.delay([2026, 4])
    assert _statistics_figures(path)["Hồ sơ tiếp nhận"] == "2"
    assert Client().get(csv_path).content != before_csv
    served_from_cache(Client(), path, django_assert_num_queries)


def test_a_refresh_of_the_statistics_leaves_the_catalogues_pages_in_the_cache(procedure,
                                                                              django_assert_num_queries):
    """The hourly refresh renews the statistics' version only: the catalogue's pages are not rendered again."""
    agency = procedure.agencies.get()
    path = "/thong-ke/?nam=2026&thang=4"
    refresh_month(2026, 4, now=at(2026, 5, 2))
    # Received in April after that refresh (the clerk made for it changes the catalogue: before the pages).
    receive(dossier_at(agency, procedure, submitted=at(2026, 4, 6)), at(2026, 4, 6, 10), datetime.date(2026, 4, 20))
    for page in PAGES:
        Client().get(page)
    assert _statistics_figures(path)["Hồ sơ tiếp nhận"] == "0"
    refresh_task.delay([2026, 4])
    for page in PAGES:
        assert "Đăng ký khai sinh" in served_from_cache(Client(), page, django_assert_num_queries)
    assert _statistics_figures(path)["Hồ sơ tiếp nhận"] == "1"
    served_from_cache(Client(), path, django_assert_num_queries)


def test_an_agency_renamed_in_the_admin_shows_on_the_statistics_page_at_once(administrator, procedure):
    agency = procedure.agencies.get()
    dossier = dossier_at(agency, procedure, submitted=at(2026, 4, 6))
    receive(dossier, at(2026, 4, 6, 10), datetime.date(2026, 4, 20))
    refresh_month(2026, 4, now=at(2026, 5, 2))
    assert agency.name in Client().get("/thong-ke/?nam=2026").content.decode()
    _change(administrator, "agency", agency.pk, {
        "name": "UBND phường Tên Mới", "tier": agency.tier_id, "identifier_code": agency.identifier_code,
        "address": agency.address, "phone": agency.phone, "email": agency.email,
        "opening_hours": agency.opening_hours, "is_active": "on"})
    assert "UBND phường Tên Mới" in Client().get("/thong-ke/?nam=2026").content.decode()


# --- The filters' options (pagecache.memoized): kept per catalogue version, in each process ------

def _agency_options(html):
    select = html.split('name="co_quan"')[1].split("</select>")[0]
    return re.findall(r"<option [^>]*>([^<]*)</option>", select)


@pytest.mark.parametrize("page_cache_seconds", [600, 0])
def test_an_agency_saved_in_the_admin_changes_the_filter_on_the_very_next_request(
        settings, administrator, procedure, page_cache_seconds):
    settings.PAGE_CACHE_SECONDS = page_cache_seconds  # the options are kept with the page cache off too
    agency = procedure.agencies.get()
    assert agency.name in _agency_options(Client().get("/thu-tuc/").content.decode())
    form = {"name": "UBND phường Hoàn Kiếm mới", "tier": agency.tier_id, "identifier_code": agency.identifier_code,
            "address": agency.address, "phone": agency.phone, "email": agency.email,
            "opening_hours": agency.opening_hours, "is_active": "on"}
    _change(administrator, "agency", agency.pk, form)
    options = _agency_options(Client().get("/thu-tuc/?q=khai").content.decode())
    assert "UBND phường Hoàn Kiếm mới" in options and agency.name not in options
    _change(administrator, "agency", agency.pk, {**form, "is_active": ""})
    assert "UBND phường Hoàn Kiếm mới" not in _agency_options(Client().get("/thu-tuc/").content.decode())
    assert "UBND phường Hoàn Kiếm mới" not in _agency_options(Client().get("/thong-ke/").content.decode())


def test_the_options_are_read_once_per_catalogue_version(procedure):
    Client().get("/thu-tuc/?q=a")
    with CaptureQueriesContext(connection) as again:
        Client().get("/thu-tuc/?q=b")
    assert not [query for query in again if "procedures_agency" in query["sql"] and "is_active" in query["sql"]]
    AgencyFactory(name="UBND xã Mới")  # a save through the ORM: a new version
    with CaptureQueriesContext(connection) as after_change:
        html = Client().get("/thu-tuc/?q=c").content.decode()
    assert "UBND xã Mới" in _agency_options(html)
    assert [query for query in after_change if "procedures_agency" in query["sql"]]


@pytest.mark.parametrize("page_cache_seconds", [600, 0])
def test_a_render_reads_the_catalogue_version_once(settings, procedure, page_cache_seconds):
    # The filter's options and the rows' names are both kept per version: one round trip for both.
    settings.PAGE_CACHE_SECONDS = page_cache_seconds
    Client().get("/thu-tuc/?q=a")  # the options and names computed once
    pages = pagecache.page_cache
    with mock.patch.object(pages, "get_or_set", wraps=pages.get_or_set) as get_or_set, \
            mock.patch.object(pages, "get_many", wraps=pages.get_many) as get_many:
        html = Client().get("/thu-tuc/?q=khai").content.decode()
    reads = [call for call in get_or_set.call_args_list + get_many.call_args_list if VERSION_KEY in str(call)]
    assert len(reads) == 1
    assert procedure.agencies.get().name in _agency_options(html)


def test_while_the_shared_cache_is_down_the_options_are_read_every_time(settings, procedure):
    settings.CACHES = {**settings.CACHES, "pages": {"BACKEND": "portal.cache.RedisCacheWithLocalFallback",
                                   "LOCATION": "redis://127.0.0.1:9/0", "OPTIONS": {"retry_seconds": 60}}}
    agency = procedure.agencies.get()
    assert agency.name in _agency_options(Client().get("/thu-tuc/").content.decode())
    # Another process renames it, and this one cannot be told (no shared version).
    type(agency).objects.filter(pk=agency.pk).update(name="UBND phường Đổi Tên")
    assert "UBND phường Đổi Tên" in _agency_options(Client().get("/thu-tuc/").content.decode())


def test_the_pages_and_the_version_are_kept_apart_from_the_default_caches_counters(client, procedure):
    """The "pages" cache (PAGE_CACHE_URL) may be a Redis that evicts; the rate limits' cache never does."""
    from django.core.cache import caches

    caches["default"].delete(VERSION_KEY)  # one an earlier version of the portal kept there
    client.get("/thu-tuc/")
    assert caches["pages"].get(VERSION_KEY) is not None
    assert caches["default"].get(VERSION_KEY) is None
    caches["pages"].delete(VERSION_KEY)  # evicted: a new version, and the stored pages are not served
    assert "Đăng ký khai sinh" in client.get("/thu-tuc/").content.decode()
    assert caches["pages"].get(VERSION_KEY) is not None


@pytest.mark.integration
def test_a_flood_of_searches_evicts_old_pages_from_the_bounded_page_redis(settings, tmp_path, procedure,
                                                                          django_assert_num_queries):
    """docker-compose.yml's redis-pages, with a smaller maxmemory: memory stays bounded, pages still served."""
    import redis
    import yaml

    from tests.fixtures.celery_worker import RedisServer

    compose = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())
    command = compose["services"]["redis-pages"]["command"]
    assert command[0] == "redis-server" and "allkeys-lru" in command
    options = command[1:]
    options[options.index("--maxmemory") + 1] = "2mb"
    server = RedisServer(tmp_path, options=options)
    server.start()
    try:
        settings.CACHES = {**settings.CACHES, "pages": {
            "BACKEND": "portal.cache.RedisCacheWithLocalFallback", "LOCATION": server.url, "KEY_PREFIX": "pages"}}
        catalogue_changed()
        visitor = Client()
        for number in range(500):  # about 6 KB a stored page here: 3 MB of distinct searches
            assert visitor.get("/thu-tuc/", {"q": f"khai sinh {number}"}).status_code == 200
        info = redis.Redis.from_url(server.url).info()
        assert info["evicted_keys"] > 0
        assert info["used_memory"] <= 2.5 * 1024 * 1024
        # Pages are still kept and served after the evictions, and a change still shows at once.
        assert "Đăng ký khai sinh" in visitor.get("/thu-tuc/", {"q": "khai sinh"}).content.decode()
        served_from_cache(Client(), "/thu-tuc/?q=khai+sinh", django_assert_num_queries)
        procedure.name = "Đăng ký khai sinh có yếu tố nước ngoài"
        procedure.save()
        assert "có yếu tố nước ngoài" in Client().get("/thu-tuc/", {"q": "khai sinh"}).content.decode()
    finally:
        server.stop()
