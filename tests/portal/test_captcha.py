"""The captcha's signed keys (portal/captcha.py): no row per form shown, an answer works once only.

These tests turn the test mode off, so "PASSED" is not accepted and the real characters must be typed.
"""

import re

import pytest
from captcha.models import CaptchaStore

from portal.captcha import challenge_of, new_key
from tests.factories import DossierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def real_captcha(settings):
    settings.CAPTCHA_TEST_MODE = False
    settings.LOOKUP_RATE = "1000/m"


def _key_on(page):
    return re.search(r'name="captcha_0" value="(\w+)"', page.content.decode()).group(1)


def _lookup(client, code, key, answer):
    return client.post("/tim-kiem/", {"code": code, "captcha_0": key, "captcha_1": answer})


def test_showing_a_form_writes_no_captcha_row(client, django_assert_max_num_queries):
    client.get("/tim-kiem/")
    with django_assert_max_num_queries(2):  # the page's own (session, none for the captcha)
        page = client.get("/tim-kiem/")
    assert challenge_of(_key_on(page))
    assert not CaptchaStore.objects.exists()


def test_the_right_answer_works_once_only(client):
    dossier = DossierFactory()
    page = client.get("/tim-kiem/")
    key = _key_on(page)
    answer = challenge_of(key).lower()  # case does not matter

    found = _lookup(client, dossier.code, key, f"  {answer} ")
    assert dossier.code in found.content.decode()
    assert "Mã xác nhận không đúng" not in found.content.decode()

    again = _lookup(client, dossier.code, key, answer)
    assert "Mã xác nhận không đúng hoặc đã hết hạn" in again.content.decode()
    assert dossier.code in again.content.decode()  # what was typed is kept


def test_a_wrong_answer_uses_the_key_up(client):
    dossier = DossierFactory()
    key = _key_on(client.get("/tim-kiem/"))
    assert "Mã xác nhận không đúng" in _lookup(client, dossier.code, key, "sai").content.decode()
    refused = _lookup(client, dossier.code, key, challenge_of(key))
    assert "Mã xác nhận không đúng hoặc đã hết hạn" in refused.content.decode()


def test_a_forged_or_altered_key_is_refused(client):
    dossier = DossierFactory()
    key = new_key()
    altered = key[:12] + "ffffffff" + key[20:]  # a later expiry, the old signature
    assert challenge_of(altered) is None
    assert challenge_of("0" * 40) is None
    assert challenge_of("<script>") is None
    for bad in (altered, "0" * 40, "x", ""):
        page = _lookup(client, dossier.code, bad, "ABCDE").content.decode()
        assert "Mã xác nhận" in page and dossier.code in page


def test_an_expired_key_is_refused(client, settings):
    settings.CAPTCHA_TIMEOUT = 0
    key = new_key()
    assert challenge_of(key) is None
    assert client.get(f"/captcha/image/{key}/").status_code == 410


def test_the_image_and_the_refresh_link(client):
    key = new_key()
    image = client.get(f"/captcha/image/{key}/")
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert image.content == client.get(f"/captcha/image/{key}/").content  # the same key, the same image
    assert client.get(f"/captcha/image/{'0' * 40}/").status_code == 410

    assert client.get("/captcha/refresh/").status_code == 404  # only for the page's script
    fresh = client.get("/captcha/refresh/", headers={"x-requested-with": "XMLHttpRequest"}).json()
    assert challenge_of(fresh["key"])
    assert fresh["image_url"] == f"/captcha/image/{fresh['key']}/"
    assert not CaptchaStore.objects.exists()


# The widget's template as it was before CaptchaInput.render wrote its markup in Python.
TEMPLATE_WIDGET = """{% load i18n %}<span class="captcha-row"><img src="{{ image }}" alt="{% translate 'Hình mã xác nhận: các ký tự cần nhập vào ô bên cạnh' %}" class="captcha" width="140" height="44">{% if audio %} <a href="{{ audio }}" class="captcha-audio">{% translate "Nghe mã xác nhận" %}</a>{% endif %}</span>
{% for widget in widget.subwidgets %}{% include widget.template_name %}{% endfor %}"""


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("attrs", [
    {"id": "id_captcha", "required": True, "aria-describedby": "id_captcha_helptext"},
    {"required": True, "aria-invalid": "true", "id": "id_captcha", "autocomplete": "on", "data-x": "<\">"},
    {"required": False},
])
def test_the_widget_writes_the_markup_of_its_template(language, attrs):
    from django.forms.renderers import get_default_renderer
    from django.utils import translation

    from portal.captcha import CaptchaInput

    widget = CaptchaInput()
    with translation.override(language):
        ours = widget.render("captcha", None, attrs)
        context = widget.get_context("captcha", widget._value, attrs)  # the key the render drew
        theirs = get_default_renderer().engine.from_string(TEMPLATE_WIDGET).render(context)
    assert re.sub(r"\s+", " ", ours).strip() == re.sub(r"\s+", " ", theirs).strip()
    assert f'name="captcha_0" value="{widget._key}"' in ours and ("captcha-audio" in ours) == bool(widget.audio_url())


# The captcha field's include as it was before the form_captcha tag wrote its markup in Python.
TEMPLATE_FIELD = """{% load i18n %}<div class="field captcha-field{% if field.errors %} field-error{% endif %}" data-captcha>
  <label for="{{ field.id_for_label }}">{{ field.label }} <span class="required" aria-hidden="true">*</span></label>
  <div class="captcha-row">{{ field }}</div>
  <p class="help"><a href="{{ refresh_url|default:request.path }}" class="captcha-refresh" data-refresh="{% url 'captcha-refresh' %}">{% translate "Lấy mã khác" %}</a></p>
  {% if field.help_text %}<p class="help" id="{{ field.auto_id }}_helptext">{{ field.help_text }}</p>{% endif %}
  {% for error in field.errors %}<p class="error-text" id="{{ field.auto_id }}_error">{{ error }}</p>{% endfor %}
</div>"""


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("posted", [None, {"code": "x", "captcha_0": "k", "captcha_1": ""},
                                    {"code": "x", "captcha_0": "k", "captcha_1": "SAI"}])
@pytest.mark.parametrize("refresh_url", ["", "/tim-kiem/?ma=<x>&y"])
def test_the_field_tag_writes_the_markup_of_its_include(rf, language, posted, refresh_url):
    from django.template import engines
    from django.utils import translation

    from portal.templatetags.fields import form_captcha
    from tracking.forms import LookupForm

    form = LookupForm(posted)
    form.is_valid()
    request = rf.get("/tim-kiem/")
    with translation.override(language):
        field = form["captcha"]
        ours = form_captcha({"request": request}, field, refresh_url)
        # The same key on both sides: the include shows the widget the tag drew.
        drawn = re.search(r'<div class="captcha-row">(.*?)</div>', ours, re.S).group(1)
        theirs = engines["django"].from_string(TEMPLATE_FIELD.replace("{{ field }}", drawn)).render(
            {"field": field, "refresh_url": refresh_url}, request)
    assert re.sub(r"\s+", " ", ours).strip() == re.sub(r"\s+", " ", theirs).strip()
    assert ("field-error" in ours) == bool(posted)
