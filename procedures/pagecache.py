"""Whole-page cache of the anonymous public catalogue pages (home, catalogue list and search, procedure page).

Views decorated with ``cache_public_page`` are served by ``PublicPageCacheMiddleware``, which
sits near the top of the middleware stack: a stored page skips sessions, authentication, CSRF,
the rate limits and the view, and costs one cache round trip. It is stored with the headers the
inner middleware gave it (Content-Security-Policy, Permissions-Policy, Content-Language, Vary …),
so a page from the cache is the page as rendered, byte for byte.

A page is served from Django's cache ``pages`` (``settings.PAGE_CACHE_URL``: a Redis bounded in
memory in production, apart from the default cache's counters; local memory on the embedded
defaults) only to a visitor who carries nothing personal: no session cookie and no flash
messages cookie, so there is no signed-in user, no wizard draft, no pending message. A rendered
page is stored only when it is plainly public: status 200, no cookie set (a CSRF token or a
session would set one), no CSRF token used, no message shown, and not marked ``private`` (the
catalogue marks a page that reports ignored filters). While the shared cache is unreachable
(``portal.cache`` then answers from this process's memory) no page is served or stored: this
process would not hear of a catalogue change made through another one.

The key holds the language (from the language cookie, the only thing the portal's language
depends on: ``portal.middleware.ChosenLanguageMiddleware``), the host and the full path with its
query string. The stored value holds the catalogue's *version* it was rendered under, read in the
same round trip as the page. The version is one number that changes whenever anything a public
page shows changes: every write to a model of this app (procedure, agency, sector, tier, fee,
component, form template, declaration field; the admin or anywhere through the ORM) makes every
stored page stale at once, without knowing which pages showed it. Bulk writes that send no
signals (``QuerySet.update``, ``bulk_create``, an import) call ``catalogue_changed()`` themselves,
and so does each refresh of the public statistics' fact table (``reporting.services``, hourly):
the statistics pages are public pages of this cache too.
"""

import hashlib
import logging
import time
from contextvars import ContextVar

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import cc_delim_re, patch_vary_headers
from django.utils.connection import ConnectionProxy

VERSION_KEY = "procedures:catalogue-version"
# The cache of the pages and the version (settings.PAGE_CACHE_URL): disposable, apart from the
# default cache's counters.
page_cache = ConnectionProxy(caches, "pages")
_memory = {}  # memoized(): key -> (catalogue version, value); a few entries per form and language
_UNCACHEABLE_CONTROL = {"private", "no-cache", "no-store"}
# The version as this request read it ({} until read; None outside a request): the page and every
# memoized value of one render are read under one version, for one cache round trip a request.
_request_version = ContextVar("catalogue version of this request", default=None)
logger = logging.getLogger(__name__)


def page_cache_unshared():
    """True while the page cache answers from this process's memory (``portal.cache``: Redis is down),
    which never hears of a catalogue change made through another process: nothing may be kept then."""
    return getattr(page_cache, "answers_locally", lambda: False)()


def cache_public_page(view):
    """Mark ``view`` as a public page that ``PublicPageCacheMiddleware`` may store and serve."""
    view.public_page = True
    return view


class PublicPageCacheMiddleware:
    """Serve and store the pages of the views marked ``cache_public_page`` (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_version.set({})
        try:
            return self._respond(request)
        finally:
            _request_version.reset(token)

    def _respond(self, request):
        if not self._may_use_cache(request):
            return self.get_response(request)
        key = _page_key(request)
        try:
            found = page_cache.get_many([VERSION_KEY, key])
        except Exception:  # noqa: BLE001 (a cache that is down only costs a render, never the page)
            return self.get_response(request)
        version = found.get(VERSION_KEY)
        stored = found.get(key)
        if version is not None and stored is not None and stored[0] == version:
            _version, status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response.headers[name] = value
            return response
        if version is None:
            version = catalogue_version()
        else:
            _request_version.get()["version"] = version
        # The version was read before the page is rendered: a page rendered from data older than
        # a change is stored under the version before it and never served after it.
        response = self.get_response(request)
        if request.method == "GET" and _is_public(request, response):
            # The page differs by the language cookie: a shared cache downstream must not mix them.
            patch_vary_headers(response, ("Cookie",))
            try:
                page_cache.set(key, (version, response.status_code, list(response.headers.items()), response.content),
                          settings.PAGE_CACHE_SECONDS)
            except Exception:  # noqa: BLE001 (as above)
                pass
        return response

    @staticmethod
    def _may_use_cache(request):
        if not settings.PAGE_CACHE_SECONDS or request.method not in ("GET", "HEAD"):
            return False
        cookies = request.COOKIES
        if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
            return False
        if page_cache_unshared():
            return False
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return getattr(match.func, "public_page", False)


def _language(request):
    # The rule of portal.middleware.ChosenLanguageMiddleware: the cookie's language if the
    # portal has it, else the default (the browser's Accept-Language is never consulted).
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _page_key(request):
    address = f"{request.get_host()}{request.get_full_path()}"
    digest = hashlib.blake2b(address.encode(), digest_size=16).hexdigest()
    return f"page:{_language(request)}:{digest}"


def _is_public(request, response):
    if response.status_code != 200 or response.cookies or response.streaming:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # the page carries a CSRF token
        return False
    if translation.get_language() != _language(request):  # never one language's page under another's key
        return False
    control = {part.split("=")[0].strip().lower() for part in cc_delim_re.split(response.get("Cache-Control", ""))}
    if control & _UNCACHEABLE_CONTROL:
        return False
    if len(get_messages(request)):  # counted without consuming them
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


# --- The catalogue's version ---------------------------------------------------------------

def catalogue_version():
    """The current version (created on first use; the cache may have been emptied), read once a request."""
    seen = _request_version.get()
    if seen is not None and "version" in seen:
        return seen["version"]
    version = page_cache.get_or_set(VERSION_KEY, time.time_ns, None)
    if seen is not None:
        seen["version"] = version
    return version


def memoized(key, compute):
    """``compute()``, kept in this process's memory until the catalogue's version changes.

    For what is read from the catalogue's reference data on every page (the filters' options):
    one read of the version in place of the queries and the objects. Like the pages, a value is
    kept under the version read before it was computed, and never while the shared cache is
    unreachable (this process would not hear of a change made through another).
    """
    if page_cache_unshared():
        return compute()
    try:
        version = catalogue_version()
    except Exception:  # noqa: BLE001 (a cache that is down only costs the reads)
        return compute()
    remembered = _memory.get(key)
    if remembered is not None and remembered[0] == version:
        return remembered[1]
    value = compute()
    _memory[key] = (version, value)
    return value


def catalogue_changed():
    """Give the catalogue a new version now and again once the current transaction commits.

    Now, so the very next request in this transaction's view of the world sees the change;
    after the commit, so a page rendered by another request from the data before the commit
    (and stored under the version it read first) cannot outlive it.
    """
    _new_version()
    transaction.on_commit(_new_version)


def _new_version():
    seen = _request_version.get()
    if seen is not None:
        seen.pop("version", None)  # this request's next read sees the change
    try:
        page_cache.set(VERSION_KEY, time.time_ns(), None)
    except Exception:  # noqa: BLE001 (a cache that is down must not undo an administrator's save)
        # While it is down no page is served from it; stored pages expire after PAGE_CACHE_SECONDS.
        logger.warning("could not renew the catalogue version in the cache", exc_info=True)


def _on_catalogue_write(sender, **kwargs):
    if kwargs.get("action", "post_").startswith("post_"):
        catalogue_changed()


def connect():
    """Called by ``ProceduresConfig.ready``: every write to a model of this app changes the version.

    One receiver per model of this app (and per many-to-many table), never one for all senders:
    a ``post_delete`` receiver for every model would keep Django from deleting any other app's
    rows in one statement (it must then read each row first, to send the signal).
    """
    from django.apps import apps

    for model in apps.get_app_config("procedures").get_models():
        post_save.connect(_on_catalogue_write, sender=model, dispatch_uid=f"catalogue-saved-{model._meta.label}")
        post_delete.connect(_on_catalogue_write, sender=model, dispatch_uid=f"catalogue-deleted-{model._meta.label}")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(_on_catalogue_write, sender=field.remote_field.through,
                                dispatch_uid=f"catalogue-m2m-{field.remote_field.through._meta.label}")
