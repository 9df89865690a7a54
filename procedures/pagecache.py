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
query string. The stored value holds the *versions* it was rendered under, read in the same round
trip as the page. A version is one number, kept in this cache, that changes whenever anything of
what it covers changes, and makes every stored page rendered under it stale at once, without
knowing which pages showed what:

* the catalogue's (``VERSION_KEY``), which every public page is rendered under: every write to a
  model of this app (procedure, agency, sector, tier, fee, component, form template, declaration
  field; the admin or anywhere through the ORM) renews it. Bulk writes that send no signals
  (``QuerySet.update``, ``bulk_create``, an import) call ``catalogue_changed()`` themselves;
* another a view names in ``cache_public_page(versions=…)`` beside it: the public statistics'
  (``reporting.services.STATISTICS_VERSION``), renewed by each refresh of their fact table
  (hourly), which thus leaves the catalogue's pages in the cache.
"""

import hashlib
import logging
import time
from contextvars import ContextVar
from functools import partial

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

VERSION_KEY = "procedures:catalogue-version"  # the catalogue's version
# The cache of the pages and the version (settings.PAGE_CACHE_URL): disposable, apart from the
# default cache's counters.
page_cache = ConnectionProxy(caches, "pages")
# Many-to-many fields of this app that no public page, option or cached procedure shows: a clerk
# added to an agency (from the user's form, at a province's go-live by the hundred) keeps the pages.
NOT_SHOWN_BY_PUBLIC_PAGES = {"procedures.Agency": {"staff"}}
_memory = {}  # memoized(): key -> (catalogue version, value); a few entries per form and language
_UNCACHEABLE_CONTROL = {"private", "no-cache", "no-store"}
# The versions as this request read them (key -> version; None outside a request): the page and
# every memoized value of one render are read under one version, for one cache round trip a request.
_request_versions = ContextVar("versions this request read", default=None)
logger = logging.getLogger(__name__)


def page_cache_unshared():
    """True while the page cache answers from this process's memory (``portal.cache``: Redis is down),
    which never hears of a catalogue change made through another process: nothing may be kept then."""
    return getattr(page_cache, "answers_locally", lambda: False)()


def cache_public_page(view=None, *, versions=(VERSION_KEY,)):
    """Mark ``view`` as a public page that ``PublicPageCacheMiddleware`` may store and serve.

    ``versions``: the keys of the versions its page is rendered under (see the module), the
    catalogue's among them. ``@cache_public_page`` alone: the catalogue's only.
    """
    if VERSION_KEY not in versions:
        raise ValueError("every public page shows the catalogue: its version must be among the page's")

    def mark(view):
        view.public_page = tuple(versions)
        return view

    return mark if view is None else mark(view)


class PublicPageCacheMiddleware:
    """Serve and store the pages of the views marked ``cache_public_page`` (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_versions.set({})
        try:
            return self._respond(request)
        finally:
            _request_versions.reset(token)

    def _respond(self, request):
        names = self._versions_of_page(request)
        if not names:
            return self.get_response(request)
        key = _page_key(request)
        try:
            found = page_cache.get_many([*names, key])
        except Exception:  # noqa: BLE001 (a cache that is down only costs a render, never the page)
            return self.get_response(request)
        versions = tuple(found.get(name) for name in names)
        stored = found.get(key)
        if None not in versions and stored is not None and stored[0] == versions:
            _versions, status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response.headers[name] = value
            return response
        seen = _request_versions.get()
        seen.update((name, found[name]) for name in names if name in found)
        versions = tuple(current_version(name) for name in names)  # creates those the cache lacks
        # The versions were read before the page is rendered: a page rendered from data older than
        # a change is stored under the version before it and never served after it.
        response = self.get_response(request)
        if request.method == "GET" and _is_public(request, response):
            # The page differs by the language cookie: a shared cache downstream must not mix them.
            patch_vary_headers(response, ("Cookie",))
            try:
                page_cache.set(key, (versions, response.status_code, list(response.headers.items()),
                                     response.content), settings.PAGE_CACHE_SECONDS)
            except Exception:  # noqa: BLE001 (as above)
                pass
        return response

    @staticmethod
    def _versions_of_page(request):
        """The keys of the versions the page is rendered under, or () when it is not to be cached."""
        if not settings.PAGE_CACHE_SECONDS or request.method not in ("GET", "HEAD"):
            return ()
        cookies = request.COOKIES
        if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
            return ()
        if page_cache_unshared():
            return ()
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return ()
        return getattr(match.func, "public_page", ())


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


# --- The versions ------------------------------------------------------------------------------

def current_version(name):
    """The current version ``name`` (created on first use; the cache may have been emptied), read once a request."""
    seen = _request_versions.get()
    if seen is not None and name in seen:
        return seen[name]
    version = page_cache.get_or_set(name, time.time_ns, None)
    if seen is not None:
        seen[name] = version
    return version


def catalogue_version():
    return current_version(VERSION_KEY)


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


def version_changed(name):
    """Give version ``name`` a new value now and again once the current transaction commits.

    Now, so the very next request in this transaction's view of the world sees the change;
    after the commit, so a page rendered by another request from the data before the commit
    (and stored under the version it read first) cannot outlive it.
    """
    _new_version(name)
    transaction.on_commit(partial(_new_version, name))


def catalogue_changed():
    """Every stored page, and every value ``memoized``, is stale: the catalogue changed."""
    version_changed(VERSION_KEY)


def _new_version(name):
    seen = _request_versions.get()
    if seen is not None:
        seen.pop(name, None)  # this request's next read sees the change
    try:
        page_cache.set(name, time.time_ns(), None)
    except Exception:  # noqa: BLE001 (a cache that is down must not undo an administrator's save)
        # While it is down no page is served from it; stored pages expire after PAGE_CACHE_SECONDS.
        logger.warning("could not renew the version %s in the cache", name, exc_info=True)


def _on_catalogue_write(sender, **kwargs):
    if kwargs.get("action", "post_").startswith("post_"):
        catalogue_changed()


def connect():
    """Called by ``ProceduresConfig.ready``: every write to a model of this app changes the version.

    One receiver per model of this app (and per many-to-many table), never one for all senders:
    a ``post_delete`` receiver for every model would keep Django from deleting any other app's
    rows in one statement (it must then read each row first, to send the signal). Not the
    many-to-many fields no public page shows (``NOT_SHOWN_BY_PUBLIC_PAGES``).
    """
    from django.apps import apps

    for model in apps.get_app_config("procedures").get_models():
        post_save.connect(_on_catalogue_write, sender=model, dispatch_uid=f"catalogue-saved-{model._meta.label}")
        post_delete.connect(_on_catalogue_write, sender=model, dispatch_uid=f"catalogue-deleted-{model._meta.label}")
        for field in model._meta.local_many_to_many:
            if field.name in NOT_SHOWN_BY_PUBLIC_PAGES.get(model._meta.label, ()):
                continue
            m2m_changed.connect(_on_catalogue_write, sender=field.remote_field.through,
                                dispatch_uid=f"catalogue-m2m-{field.remote_field.through._meta.label}")
