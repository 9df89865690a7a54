"""The captcha's addresses (the image, audio and refresh views of ``portal.captcha``), each limited
per client address: an audio file costs a flite and a sox process, an image a drawing, so none
may be asked for without end.

The limits are read on each request (``CAPTCHA_IMAGE_RATE``, ``CAPTCHA_AUDIO_RATE``,
``CAPTCHA_REFRESH_RATE``); a client over one gets the portal's 429 page.
"""

from django.conf import settings
from django.urls import URLPattern
from django_ratelimit.decorators import ratelimit

# The portal's captcha views (signed keys, no rows: portal/captcha.py), under the library's URL names.
from portal import captcha as captcha_urls

# URL name → the setting with its rate.
RATE_SETTINGS = {
    "captcha-image": "CAPTCHA_IMAGE_RATE",
    "captcha-image-2x": "CAPTCHA_IMAGE_RATE",
    "captcha-audio": "CAPTCHA_AUDIO_RATE",
    "captcha-refresh": "CAPTCHA_REFRESH_RATE",
}


def _rate_of(setting_name):
    def rate(group, request):
        return getattr(settings, setting_name)

    return rate


def _limited(pattern):
    setting_name = RATE_SETTINGS.get(pattern.name)
    if setting_name is None:
        return pattern
    # One count for both image sizes: the group is the setting, not the URL name.
    view = ratelimit(group=f"captcha.{setting_name.lower()}", key="ip", rate=_rate_of(setting_name),
                     method=ratelimit.ALL, block=True)(pattern.callback)
    return URLPattern(pattern.pattern, view, pattern.default_args, pattern.name)


urlpatterns = [_limited(pattern) for pattern in captcha_urls.urlpatterns]
