"""The layout's fixed parts are kept once per language (templates/base.html's {% cache %} fragments):
what changes from one request to the next must never be kept with them."""

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from accounts.identity import SESSION_KEY
from accounts.oidc import CitizenIdentity
from procedures.models import JurisdictionTier, Procedure
from tests.procedures.conftest import demo_catalogue  # noqa: F401  (the module-scoped fixture)

CITIZEN = CitizenIdentity(subject="tech-9", id_number="001190054321", full_name="Lê Thị Thu Hà",
                          birth_date="1991-03-08")


@pytest.fixture(autouse=True)
def fresh_fragments():
    caches["template_fragments"].clear()
    yield
    caches["template_fragments"].clear()


def _signed_in():
    client = Client()
    session = client.session
    session[SESSION_KEY] = CITIZEN.as_session_data()
    session.save()
    return client


def test_the_fragments_are_kept_outside_debug():
    # Otherwise the rest of this file would prove nothing: Django's dummy cache keeps nothing.
    fragments = caches["template_fragments"]
    fragments.set("probe", "kept")
    assert fragments.get("probe") == "kept"


@pytest.mark.django_db
def test_a_signed_in_citizen_is_never_shown_to_the_next_visitor():
    citizen_page = _signed_in().get(reverse("tracking:lookup")).content.decode()
    assert CITIZEN.full_name in citizen_page
    assert reverse("accounts:sign_out") in citizen_page

    anonymous_page = Client().get(reverse("tracking:lookup")).content.decode()

    assert CITIZEN.full_name not in anonymous_page
    assert reverse("accounts:sign_out") not in anonymous_page
    assert reverse("accounts:my_dossiers") not in anonymous_page


@pytest.mark.django_db
def test_the_language_switcher_returns_to_each_request_s_own_page():
    client = Client()
    client.get("/thu-tuc/?q=khai+sinh")

    page = client.get("/tim-kiem/").content.decode()

    assert '<input type="hidden" name="next" value="/tim-kiem/">' in page
    assert "khai+sinh" not in page


@pytest.mark.django_db
def test_each_language_has_its_own_layout():
    Client().get(reverse("home"))  # the Vietnamese fragments first
    english = Client()
    english.post(reverse("set_language"), {"language": "en", "next": "/"})

    english_page = english.get(reverse("home")).content.decode()
    vietnamese_page = Client().get(reverse("home")).content.decode()

    assert '<html lang="en">' in english_page
    assert "Skip to main content" in english_page and "Bỏ qua, đến nội dung chính" not in english_page
    assert '<option value="en" lang="en" selected>' in english_page
    assert "Bỏ qua, đến nội dung chính" in vietnamese_page and "Skip to main content" not in vietnamese_page
    assert '<option value="vi" lang="vi" selected>' in vietnamese_page


@pytest.mark.django_db
def test_a_flash_message_shows_on_its_own_request_only():
    client = _signed_in()
    signed_out = client.post(reverse("accounts:sign_out"), follow=True).content.decode()
    assert "Bạn đã đăng xuất." in signed_out

    assert "Bạn đã đăng xuất." not in client.get(reverse("home")).content.decode()
    assert "Bạn đã đăng xuất." not in Client().get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_the_home_page_keeps_its_fixed_text_per_language_and_reads_its_data_on_each_render(settings,
                                                                                          demo_catalogue):  # noqa: F811
    settings.PAGE_CACHE_SECONDS = 0  # the fragments alone, not the whole-page cache
    Client().get(reverse("home"))  # the Vietnamese fragments first
    english = Client()
    english.post(reverse("set_language"), {"language": "en", "next": "/"})
    english_page = english.get(reverse("home")).content.decode()
    assert "<h1>Online public services</h1>" in english_page and "Các mức độ dịch vụ công trực tuyến" not in english_page
    assert "Online public service levels" in english_page

    # A change made without any signal (nothing told the caches) still shows: the counts and the
    # most used procedures are not in the fragments.
    tier = JurisdictionTier.objects.get(slug="cap-xa")
    before = Procedure.objects.filter(tier=tier, is_published=True).count()
    hidden = Procedure.objects.filter(tier=tier, is_published=True).order_by("name").first()
    Procedure.objects.filter(pk=hidden.pk).update(is_published=False)
    least_used = Procedure.objects.published().order_by("popularity").first()
    Procedure.objects.filter(pk=least_used.pk).update(popularity=10**9, name="Khai sinh (thử, đầu danh sách)")

    page = Client().get(reverse("home")).content.decode()

    assert f'?cap=cap-xa">Nộp hồ sơ tại phường/xã/thị trấn <span class="tier-count">{before - 1} thủ tục' in page
    popular = page.split('id="popular-heading"')[1].split("</ul>")[0]
    assert popular.index("Khai sinh (thử, đầu danh sách)") < popular.index("</li>")
    assert "<h1>Dịch vụ công trực tuyến</h1>" in page
