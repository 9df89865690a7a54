"""The captcha (Mã xác nhận) of every public form: one field, one widget, one tag, no database row.

The widget shows the image with a Vietnamese description and, when flite is installed,
a link that speaks the code (for citizens who cannot read the image). The page-level
markup (label, "another code" link, errors) is the ``form_captcha`` tag (``portal/templatetags/fields.py``).

A challenge is a signed key, not a row: ``<nonce><expiry><signature>`` in hexadecimal (40
characters, so it fits the URL patterns and ``CaptchaStore.hashkey``). The characters to type
are derived from the nonce with a keyed hash, so only the server can draw or check them, and
a key cannot be forged, altered or used after ``CAPTCHA_TIMEOUT`` minutes. Showing a form
therefore writes nothing, and checking an answer is one atomic ``cache.add`` (Redis ``SET NX``
in production) that marks the nonce used: a key can be tried once, right or wrong, like
django-simple-captcha's rows (which the old design inserted on every form shown and deleted,
after a ``DELETE … WHERE expiration <= now()`` scan, on every check). When the cache cannot be
reached, the use is recorded as a ``CaptchaStore`` row with a unique key instead: slower,
still once only.

The image and audio views draw and speak the derived characters with django-simple-captcha's
own code; the audio view (rare, and rate-limited) stores the challenge as a row for the
library's view to read. ``urlpatterns`` has the library's URL names, so its templates, the
refresh script and the rate limits of ``portal/captcha_urls.py`` apply unchanged.
"""

import hashlib
import hmac
import html
import json
import random
import secrets
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from captcha import views as captcha_views
from captcha.conf import settings as captcha_settings
from captcha.fields import CaptchaField, CaptchaTextInput
from captcha.models import CaptchaStore
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.forms import MultiValueField
from django.http import Http404, HttpResponse
from django.urls import re_path, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Letters only, none that look alike (I/J, O/Q) and none a Vietnamese reader would misread.
ALPHABET = "ABCDEFGHKLMNPRSTUVWXYZ"
_NONCE, _EXPIRY, _SIGNATURE = 12, 8, 20  # hex characters; 40 in all
_USED_PREFIX = "captcha-used:"


def _mac(purpose, message):
    key = hashlib.sha256(f"portal.captcha:{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def new_key():
    """A fresh challenge's key, valid for ``CAPTCHA_TIMEOUT`` minutes. Writes nothing."""
    nonce = secrets.token_hex(_NONCE // 2)
    expiry = f"{int(time.time()) + int(settings.CAPTCHA_TIMEOUT) * 60:0{_EXPIRY}x}"
    return nonce + expiry + _mac("key", nonce + expiry)[:_SIGNATURE]


def challenge_of(key):
    """The characters of a valid, unexpired key, or ``None`` for anything else."""
    if not isinstance(key, str) or len(key) != _NONCE + _EXPIRY + _SIGNATURE:
        return None
    nonce, expiry, signature = key[:_NONCE], key[_NONCE:_NONCE + _EXPIRY], key[_NONCE + _EXPIRY:]
    if not hmac.compare_digest(signature, _mac("key", nonce + expiry)[:_SIGNATURE]):
        return None
    try:
        if int(expiry, 16) <= time.time():
            return None
    except ValueError:
        return None
    digest = bytes.fromhex(_mac("challenge", nonce))
    return "".join(ALPHABET[byte % len(ALPHABET)] for byte in digest[: int(settings.CAPTCHA_LENGTH)])


def _expires_at(key):
    return int(key[_NONCE:_NONCE + _EXPIRY], 16)


def use_once(key):
    """Mark ``key`` used; ``True`` the first time only (atomic across processes and machines)."""
    seconds = max(1, _expires_at(key) - int(time.time()) + 1)
    try:
        return cache.add(_USED_PREFIX + key[:_NONCE], 1, seconds)
    except Exception:  # noqa: BLE001 (the cache is down: the database keeps the promise instead)
        try:
            CaptchaStore.objects.create(hashkey=key, challenge="-", response="-",
                                        expiration=datetime.fromtimestamp(_expires_at(key), UTC))
        except IntegrityError:
            return False
        return True


def answer_is_right(key, answer):
    """Whether ``answer`` is the key's challenge; the key is used up by this check, right or wrong."""
    challenge = challenge_of(key)
    if challenge is None or not use_once(key):
        return False
    return hmac.compare_digest(challenge.lower(), (answer or "").strip().lower())


class CaptchaInput(CaptchaTextInput):
    """The image (and the link that speaks it), the hidden key and the answer box.

    Written in Python rather than through the library's widget template and Django's input
    templates (about 1,900 Python calls, a third of a lookup's page), and without building the
    library's context (``get_context``: its subwidgets, another 600): the inputs are the library's
    subwidgets with their attributes (``CaptchaHiddenInput``, ``CaptchaAnswerInput``), in the
    markup of Django's ``input.html``. ``tests/portal/test_captcha.py`` compares the two.
    """

    # What the library's subwidgets add to their attributes (their ``build_attrs``).
    HIDDEN_ATTRS = {"autocomplete": "off"}
    ANSWER_ATTRS = {"autocapitalize": "off", "autocomplete": "off", "autocorrect": "off", "spellcheck": "false"}

    def render(self, name, value, attrs=None, renderer=None):
        # The library's render inserts a row here (fetch_captcha_store); a signed key needs none.
        self._key = key = new_key()
        self._value = [key, ""]
        final = self.build_attrs(self.attrs, attrs)
        final.pop("type", None)  # as MultiWidget.get_context
        self.id_ = final.get("id")
        audio = self.audio_url()
        listen = (f' <a href="{escape(audio)}" class="captcha-audio">{escape(gettext("Nghe mã xác nhận"))}</a>'
                  if audio else "")
        image = (f'<span class="captcha-row"><img src="{escape(self.image_url())}" '
                 f'alt="{escape(gettext("Hình mã xác nhận: các ký tự cần nhập vào ô bên cạnh"))}" class="captcha" '
                 f'width="140" height="44">{listen}</span>')
        hidden = _input("hidden", f"{name}_0", key, _subwidget_attrs(final, 0, self.HIDDEN_ATTRS))
        answer = _input("text", f"{name}_1", None, _subwidget_attrs(final, 1, self.ANSWER_ATTRS))
        return mark_safe(f"{image}\n{hidden}\n{answer}")


def _subwidget_attrs(final, index, added):
    """The attributes MultiWidget.get_context gives subwidget ``index``, with what the subwidget adds."""
    attrs = dict(final)
    if attrs.get("id"):
        attrs["id"] = f"{attrs['id']}_{index}"
    attrs.update(added)
    return attrs


def _input(input_type, name, value, attrs):
    """An ``<input>`` as Django's ``input.html`` and ``attrs.html`` write it.

    ``html.escape`` is what Django's ``escape`` calls, without its lazy-string wrapper and safe-string
    result (a dozen values an input).
    """
    value = "" if value is None else f' value="{html.escape(str(value))}"'
    attrs = "".join(f" {html.escape(key)}" if item is True else f' {html.escape(key)}="{html.escape(str(item))}"'
                    for key, item in attrs.items() if item is not False)
    return f'<input type="{input_type}" name="{html.escape(name)}"{value}{attrs}>'


class SignedCaptchaField(CaptchaField):
    """django-simple-captcha's field, checked against the signed key instead of a row."""

    def clean(self, value):
        MultiValueField.clean(self, value)  # required, incomplete
        key, answer = (value[0] or ""), (value[1] or "").strip()
        value[1] = ""  # never shown again, like the library
        if settings.CAPTCHA_TEST_MODE and answer.lower() == "passed":
            return value
        if not answer_is_right(key, answer):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return value


def captcha_field(**kwargs):
    """A required captcha with the portal's widget and Vietnamese messages."""
    kwargs.setdefault("label", _("Mã xác nhận"))
    kwargs.setdefault("help_text", _("Nhập các ký tự trong hình, không phân biệt chữ hoa, chữ thường."))
    return SignedCaptchaField(widget=CaptchaInput, error_messages={
        "required": _("Vui lòng nhập mã xác nhận."),
        "incomplete": _("Vui lòng nhập mã xác nhận."),
        "invalid": _("Mã xác nhận không đúng hoặc đã hết hạn. Vui lòng nhập mã mới trong hình."),
    }, **kwargs)


# --- Views (the library's URL names) -------------------------------------------------------------

def captcha_image(request, key, scale=1):
    """The key's characters drawn by the library; 410 for an unknown or expired key, as the library."""
    if scale == 2 and not captcha_settings.CAPTCHA_2X_IMAGE:
        raise Http404
    challenge = challenge_of(key)
    if challenge is None:
        return HttpResponse(status=410)
    try:
        random.seed(key)  # the same image for the same key, as the library does
        response = captcha_views._captcha_image(SimpleNamespace(challenge=challenge), scale)
    finally:
        random.seed()  # the seed is public (the key): reseed, as the library does
    response["Cache-Control"] = f"private, max-age={max(0, _expires_at(key) - int(time.time()))}"
    return response


def captcha_audio(request, key):
    """The key's characters spoken by the library's view (flite, and sox noise when installed)."""
    challenge = challenge_of(key)
    if challenge is None:
        return HttpResponse(status=410)
    CaptchaStore.objects.filter(expiration__lte=datetime.now(UTC)).delete()  # the rows this view leaves
    CaptchaStore.objects.get_or_create(hashkey=key, defaults={
        "challenge": challenge, "response": challenge.lower(),
        "expiration": datetime.fromtimestamp(_expires_at(key), UTC) + timedelta(seconds=1)})
    return captcha_views.captcha_audio(request, key)


def captcha_refresh(request):
    """A new key for the "another code" link's script (JSON, as the library answers)."""
    if request.headers.get("x-requested-with") != "XMLHttpRequest":
        raise Http404
    key = new_key()
    return HttpResponse(json.dumps({
        "key": key,
        "image_url": reverse("captcha-image", kwargs={"key": key}),
        "audio_url": reverse("captcha-audio", kwargs={"key": key}) if captcha_settings.CAPTCHA_FLITE_PATH else None,
    }), content_type="application/json")


urlpatterns = [
    re_path(r"image/(?P<key>\w+)/$", captcha_image, name="captcha-image", kwargs={"scale": 1}),
    re_path(r"image/(?P<key>\w+)@2/$", captcha_image, name="captcha-image-2x", kwargs={"scale": 2}),
    re_path(r"audio/(?P<key>\w+).wav$", captcha_audio, name="captcha-audio"),
    re_path(r"refresh/$", captcha_refresh, name="captcha-refresh"),
]
