"""The home page: service levels, one entry per jurisdiction tier, search, lookup, popular procedures."""

import re

import pytest
from django.urls import reverse

from procedures.models import JurisdictionTier, Procedure
from tests.procedures.conftest import demo_catalogue  # noqa: F401  (the module-scoped fixture)

pytestmark = pytest.mark.django_db


def test_home_offers_one_entry_per_tier_in_order(client, demo_catalogue):  # noqa: F811
    html = client.get("/").content.decode()
    entries = re.findall(r'<a href="/thu-tuc/\?cap=([a-z-]+)">([^<]+?) <span class="tier-count">(\d+) thủ tục', html)
    assert [(slug, label) for slug, label, _n in entries] == [
        ("cap-xa", "Nộp hồ sơ tại phường/xã/thị trấn"),
        ("cap-huyen", "Nộp hồ sơ tại quận/huyện/thị xã"),
        ("cap-so", "Nộp hồ sơ tại sở/ngành"),
    ]
    for slug, _label, count in entries:
        assert int(count) == Procedure.objects.filter(tier__slug=slug, is_published=True).count()


def test_home_explains_the_four_levels(client, demo_catalogue):  # noqa: F811
    html = client.get("/").content.decode()
    for text in ["Cung cấp thông tin", "Tải mẫu đơn, tờ khai", "Dịch vụ công trực tuyến một phần",
                 "Dịch vụ công trực tuyến toàn trình", "Không phải đến cơ quan."]:
        assert text in html
    for level in range(1, 5):
        assert f'href="/thu-tuc/?muc_do={level}"' in html


def test_home_has_labelled_search_and_lookup_boxes(client, demo_catalogue):  # noqa: F811
    html = client.get("/").content.decode()
    assert '<html lang="vi">' in html
    assert f'action="{reverse("procedures:catalogue")}"' in html and '<label for="home-q">' in html
    assert f'action="{reverse("tracking:lookup")}"' in html and '<label for="home-code">' in html
    assert html.count("<h1>") == 1


def test_home_lists_the_most_used_procedures_first(client, demo_catalogue):  # noqa: F811
    html = client.get("/").content.decode()
    popular = html.split('id="popular-heading"')[1].split("</ul>")[0]
    names = re.findall(r'<li><a href="/thu-tuc/[^"]+/">([^<]+)</a>', popular)
    expected = list(Procedure.objects.published().order_by("-popularity", "name").values_list("name", flat=True)[:8])
    assert names == expected and names[0] == "Đăng ký khai sinh"


def test_home_follows_the_tier_rows(client, demo_catalogue):  # noqa: F811
    tier = JurisdictionTier.objects.get(slug="cap-huyen")
    original = tier.submit_label
    JurisdictionTier.objects.filter(pk=tier.pk).update(submit_label="Nộp hồ sơ tại thị xã Sơn Tây")
    try:
        assert "Nộp hồ sơ tại thị xã Sơn Tây" in client.get("/").content.decode()
    finally:
        JurisdictionTier.objects.filter(pk=tier.pk).update(submit_label=original)


def test_the_language_switcher_changes_the_page_language(client, demo_catalogue):  # noqa: F811
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/thu-tuc/"})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get("/thu-tuc/").content.decode()


def test_the_bench_views_are_not_routed_outside_benchmarks(client):
    assert client.get("/bench/bare/").status_code == 404
    assert client.post("/bench/lookup-floor/").status_code == 404


def test_the_tier_entries_in_english_say_procedure_or_procedures(client, demo_catalogue):  # noqa: F811
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    tier = JurisdictionTier.objects.get(slug="cap-so")
    published = Procedure.objects.filter(tier=tier, is_published=True)
    Procedure.objects.filter(pk__in=list(published.values_list("pk", flat=True)[1:])).update(is_published=False)

    html = client.get("/").content.decode()

    entries = dict(re.findall(r'<a href="/thu-tuc/\?cap=([a-z-]+)">[^<]+ <span class="tier-count">([^<]+)</span>', html))
    assert entries["cap-so"] == "1 procedure"
    xa = Procedure.objects.filter(tier__slug="cap-xa", is_published=True).count()
    assert entries["cap-xa"] == f"{xa} procedures"

