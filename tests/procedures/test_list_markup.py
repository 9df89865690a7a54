"""The catalogue's rows, written in Python for speed, are the markup the template wrote."""

import re

import pytest
from django.template import engines
from django.utils import translation

from procedures.models import Procedure
from procedures.selectors import LIST_ROW
from procedures.templatetags.catalogue import popular_items, procedure_items
from tests.factories import ProcedureFactory

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
