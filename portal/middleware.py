"""Language selection: Vietnamese unless the visitor chose another language with the switcher."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation

from dossiers.storage import StorageUnavailable


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but the browser's Accept-Language is not consulted.

    A Vietnamese public portal speaks Vietnamese to everyone (a phone set to English
    included); English is for those who pick it, and the choice is kept in the
    language cookie that ``set_language`` writes.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in dict(settings.LANGUAGES):
            chosen = settings.LANGUAGE_CODE
        translation.activate(chosen)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        # Django's adds "Vary: Accept-Language"; the language comes from the cookie here, so that
        # header would only split every cache by the browser's settings for nothing.
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class StorageUnavailableMiddleware:
    """The file store cannot be reached (``dossiers.storage.StorageUnavailable``): a clear page, status 503.

    The view's transaction has rolled back by then, so nothing was half-written; forms
    that take uploads catch the error themselves to keep what was typed on the page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, StorageUnavailable):
            response = render(request, "portal/storage_unavailable.html", status=503)
            response["Retry-After"] = "60"
            return response
        return None
