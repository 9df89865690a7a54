"""The catalogue's rows, written in Python for speed, are the markup the template wrote."""

import re

import pytest
from django.template import engines
from django.utils import translation

from procedures.models import Procedure, Sector
from procedures.selectors import LIST_ROW, procedure_for_detail
from procedures.templatetags.catalogue import agency_items, popular_items, procedure_items, tier_items
from tests.factories import AgencyFactory, ProcedureFactory

pytestmark = pytest.mark.django_db

# The rows as catalogue.html wrote them before the tag took them over.
TEMPLATE_ROWS = engines["django"].from_string(
    """{% load i18n catalogue %}{% for procedure in procedures %}<li>
    <a href="{{ procedure.get_absolute_url }}"><strong>{{ procedure.name }}</strong></a>
    <div class="meta">{% translate "Mã" %} {{ procedure.code }} · {{ procedure.sector }} · {{ procedure.tier }} · {% level_badge procedure.service_level %}</div>
    {% if procedure.can_file_online %}<div class="list-actions"><a class="button button-small" href="{% url 'filing:start' procedure.code %}">{% translate "Thực hiện" %}<span class="visually-hidden">: {{ procedure.name }}</span></a></div>{% endif %}
  </li>{% endfor %}""")


def _squeezed(html):
    return re.sub(r"\s+", " ", str(html)).replace("> <", "><").strip()


@pytest.fixture
def procedures():
    """One procedure of each level, with characters HTML must escape; and their rows as the views read them."""
    made = [ProcedureFactory(service_level=level, code=f"1.00{level}", name=f"Thủ tục <mức> “{level}” & co")
            for level in (1, 2, 3, 4)]
    return made, Procedure.objects.filter(pk__in=[p.pk for p in made]).order_by("code").values(*LIST_ROW)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_rows_are_the_templates(language, procedures):
    procedures, rows = procedures
    with translation.override(language):
        assert _squeezed(procedure_items(rows)) == _squeezed(TEMPLATE_ROWS.render({"procedures": procedures}))


# The home page's most used procedures as home.html wrote them before the tag took them over.
TEMPLATE_POPULAR = engines["django"].from_string(
    """{% load i18n catalogue %}{% for procedure in procedures %}<li><a href="{{ procedure.get_absolute_url }}">{{ procedure.name }}</a>
      <div class="meta">{{ procedure.code }} · {{ procedure.sector }} · {{ procedure.tier }} · {% level_badge procedure.service_level %}</div></li>{% endfor %}""")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_popular_rows_are_the_templates(language, procedures):
    procedures, rows = procedures
    with translation.override(language):
        assert popular_items(rows) == TEMPLATE_POPULAR.render({"procedures": procedures})


def test_the_catalogue_page_lists_each_procedure_with_its_button(client):
    ProcedureFactory(service_level=4, code="1.004444", name="Cấp bản sao trích lục")
    page = client.get("/thu-tuc/").content.decode()
    assert '<a href="/thu-tuc/1.004444/"><strong>Cấp bản sao trích lục</strong></a>' in page
    assert 'href="/nop-ho-so/1.004444/">Thực hiện<span class="visually-hidden">: Cấp bản sao trích lục</span>' in page


# The receiving agencies as detail.html wrote them before the tag took them over.
TEMPLATE_AGENCIES = engines["django"].from_string(
    """{% load i18n %}{% translate "mã định danh" as code_label %}{% translate "Địa chỉ" as address_label %}{% translate "Điện thoại" as phone_label %}{% translate "Thư điện tử" as email_label %}{% translate "Giờ làm việc" as hours_label %}{% for agency in agencies %}<li>
    <strong>{{ agency.name }}</strong> <span class="help">({{ code_label }} {{ agency.identifier_code }})</span>
    {% if agency.address %}<br>{{ address_label }}: {{ agency.address }}{% endif %}
    {% if agency.phone %}<br>{{ phone_label }}: <a href="tel:{{ agency.phone|cut:' ' }}">{{ agency.phone }}</a>{% endif %}
    {% if agency.email %}<br>{{ email_label }}: <a href="mailto:{{ agency.email }}">{{ agency.email }}</a>{% endif %}
    {% if agency.opening_hours %}<br>{{ hours_label }}: {{ agency.opening_hours }}{% endif %}
  </li>{% endfor %}""")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_agency_rows_are_the_templates(language):
    procedure = ProcedureFactory(code="1.005555")
    procedure.agencies.add(
        AgencyFactory(name="UBND phường <Hàng> “Bông” & co", phone="024 <3825> 1234", email="a&b@example.gov.vn",
                      address="Số 1 \"ngõ\" 'Hàng' Bông", opening_hours="8:00–12:00 <sáng>"),
        AgencyFactory(address="", phone="", email="", opening_hours=""))
    agencies = procedure_for_detail(procedure.code).page_agencies
    with translation.override(language):
        assert agency_items(agencies) == TEMPLATE_AGENCIES.render({"agencies": agencies})
    assert "&lt;Hàng&gt;" in agency_items(agencies) and "<Hàng>" not in agency_items(agencies)


def test_a_sector_added_after_the_names_were_read_is_named(client):
    ProcedureFactory(code="1.006666", service_level=2)
    client.get("/thu-tuc/")  # the sectors' and tiers' names are remembered for this catalogue version
    # Written without the signals that give the catalogue a new version: as if between the
    # version's read and the rows' (another process's save).
    [sector] = Sector.objects.bulk_create([Sector(name="Lĩnh vực <mới>", slug="linh-vuc-moi")])
    Procedure.objects.filter(code="1.006666").update(sector=sector)

    assert "Lĩnh vực &lt;mới&gt; · " in client.get("/thu-tuc/").content.decode()


# The pagination as catalogue.html wrote it before the tag took it over.
TEMPLATE_PAGINATION = engines["django"].from_string("""{% load i18n %}{% if page.paginator.num_pages > 1 %}
<nav class="pagination" aria-label="{% translate 'Phân trang' %}">
  {% if page.has_previous %}<a class="button button-secondary button-small" href="?{% if querystring %}{{ querystring }}&amp;{% endif %}trang={{ page.previous_page_number }}" rel="prev">« {% translate "Trang trước" %}</a>{% endif %}
  {% for number in page_range %}{% if number == page.number %}<span class="page-current" aria-current="page">{{ number }}</span>{% elif number == page.paginator.ELLIPSIS %}<span aria-hidden="true">…</span>{% else %}<a href="?{% if querystring %}{{ querystring }}&amp;{% endif %}trang={{ number }}">{{ number }}</a>{% endif %}{% endfor %}
  {% if page.has_next %}<a class="button button-secondary button-small" href="?{% if querystring %}{{ querystring }}&amp;{% endif %}trang={{ page.next_page_number }}" rel="next">{% translate "Trang sau" %} »</a>{% endif %}
  <span class="help">{% blocktranslate with number=page.number total=page.paginator.num_pages %}Trang {{ number }}/{{ total }}{% endblocktranslate %}</span>
</nav>{% endif %}""")


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("items, number, querystring", [
    (15, 1, ""), (45, 1, ""), (45, 3, "q=khai+sinh"), (2001, 1, "q=gi%E1%BA%A5y&cap=cap-xa"),
    (2001, 50, "muc_do=3"), (2001, 101, ""), (25000, 1150, "q=%3Cb%3E"),
])
def test_the_pagination_is_the_templates(language, items, number, querystring):
    from django.core.paginator import Paginator

    from procedures.templatetags.catalogue import page_links

    page = Paginator(range(items), 20).get_page(number)
    context = {"page": page, "querystring": querystring,
               "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))}
    with translation.override(language):
        ours = page_links(page, context["page_range"], querystring)
        assert _squeezed(ours) == _squeezed(TEMPLATE_PAGINATION.render(context))
    assert (ours == "") == (items <= 20)


# The home page's tier entries as home.html wrote them before the tag took them over.
TEMPLATE_TIERS = engines["django"].from_string(
    """{% load i18n %}{% for tier in tiers %}<li><a href="{{ catalogue_url }}?cap={{ tier.slug|urlencode }}">{{ tier.submit_label_translated }} <span class="tier-count">{% blocktranslate count counter=tier.procedure_count %}{{ counter }} thủ tục{% plural %}{{ counter }} thủ tục{% endblocktranslate %}</span></a></li>
    {% empty %}<li>{% translate "Chưa có cấp thẩm quyền nào." %}</li>{% endfor %}""")


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("tiers", [
    [],
    [{"slug": "cap-xa", "submit_label": "Nộp hồ sơ tại phường/xã/thị trấn", "procedure_count": 1},
     {"slug": "cap-so", "submit_label": "Nộp hồ sơ tại sở/ngành", "procedure_count": 0},
     {"slug": "cấp <đặc biệt>", "submit_label": "Nộp “tại” <đây> & đó", "procedure_count": 12345}],
])
def test_the_tier_entries_are_the_templates(language, tiers):
    with translation.override(language):
        expected = TEMPLATE_TIERS.render({
            "catalogue_url": "/thu-tuc/",
            "tiers": [{**tier, "submit_label_translated": translation.gettext(tier["submit_label"])} for tier in tiers],
        })
        written = tier_items(tiers, "/thu-tuc/")
    assert written.rstrip() == expected.rstrip()
    assert ("procedure" in written) == (language == "en" and bool(tiers))
