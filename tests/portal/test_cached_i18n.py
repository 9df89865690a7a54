"""portal.templatetags.cached_i18n: Django's i18n tags, with constant {% translate %} nodes rendered
once per language; what they write is what Django's tag writes, and every template of the project
loads it."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, engines
from django.utils import translation

from portal.templatetags.cached_i18n import ConstantTranslateNode

ENGINE = engines["django"].engine

TEMPLATES = [
    '{% load i18n %}{% translate "Trang chủ" %}',
    "{% load i18n %}<a title=\"{% translate 'Đường dẫn' %}\">{% trans \"Tra cứu hồ sơ\" %}</a>",
    '{% load i18n %}{% translate "Trang chủ" as home %}[{{ home }}]{% translate "Thống kê" as home %}[{{ home }}]',
    '{% load i18n %}{% translate "May" context "month name" %}',
    '{% load i18n %}{% translate "Trang chủ" noop %}',
    '{% load i18n %}{% translate "100% <b>không</b> & dấu" %}',
    '{% load i18n %}{% translate message %}',  # a variable: never kept
    '{% load i18n %}{% translate "Trang chủ"|upper %}',  # a filter: never kept
    '{% load i18n %}{% translate "Đổi" context kind %}',  # a context given by a variable: never kept
    '{% load i18n %}{% get_current_language as language %}{{ language }} {% blocktranslate count counter=n %}'
    '{{ counter }} thủ tục{% plural %}{{ counter }} thủ tục{% endblocktranslate %}',
]


@pytest.mark.parametrize("source", TEMPLATES)
@pytest.mark.parametrize("autoescape", [True, False])
def test_each_template_writes_what_django_s_tag_writes_in_each_language(source, autoescape):
    ours = ENGINE.from_string(source.replace("{% load i18n %}", "{% load cached_i18n %}"))
    djangos = ENGINE.from_string(source)
    values = [{"message": "Trang chủ", "kind": "button", "n": 3}, {"message": "Thống kê", "kind": "menu", "n": 1}]
    # The same compiled template, language after language and with other values: nothing kept
    # for one language or one request shows in another.
    for language, data in [("vi", values[0]), ("en", values[0]), ("vi", values[1]), ("en", values[1])]:
        with translation.override(language):
            written = ours.render(Context(data, autoescape=autoescape))
            assert written == djangos.render(Context(data, autoescape=autoescape)), (language, data)


def test_only_literal_messages_are_kept():
    constant = ENGINE.from_string('{% load cached_i18n %}{% translate "Trang chủ" %}')
    in_context = ENGINE.from_string('{% load cached_i18n %}{% translate "May" context "month name" %}')
    variable = ENGINE.from_string("{% load cached_i18n %}{% translate message %}")
    assert [type(node) for node in constant.nodelist][-1] is ConstantTranslateNode
    assert type(in_context.nodelist[-1]) is ConstantTranslateNode
    assert type(variable.nodelist[-1]) is not ConstantTranslateNode
    with translation.override("en"):
        assert constant.render(Context()) == "Home"
        assert variable.render(Context({"message": "Trang chủ"})) == "Home"


def test_every_template_of_the_project_loads_it_instead_of_django_s():
    root = Path(settings.BASE_DIR)
    loads = re.compile(r"{%\s*load\s+([^%]*)%}")
    templates = [path for path in [*root.glob("*/templates/**/*"), *(root / "templates").glob("**/*")]
                 if path.is_file()]
    assert len(templates) > 50
    for path in templates:
        for names in loads.findall(path.read_text()):
            assert "i18n" not in names.split(), f"{path.relative_to(root)}: {{% load {names.strip()} %}}"
