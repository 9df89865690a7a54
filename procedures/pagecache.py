"""Whole-page cache of the anonymous public catalogue pages (home, catalogue list and search, procedure page).

A page is served from Django's cache (Redis in production, local memory on the embedded
defaults) only to a visitor who carries nothing personal: no session cookie and no flash
messages cookie, so there is no signed-in user, no wizard draft, no pending message. A rendered
page is stored only when it is plainly public: status 200, no cookie set (a CSRF token or a
session would set one), no CSRF token used, no message shown, and not marked ``private`` (the
catalogue marks a page that reports ignored filters).

The key holds the catalogue's *version*, the language the middleware chose from the language
cookie, the host and the full path with its query string. The version is one number that
changes whenever anything a public page shows changes: every write to a model of this app
(procedure, agency, sector, tier, fee, component, form template, declaration field; the admin
or anywhere through the ORM) makes every stored page stale at once, without knowing which pages
showed it. Bulk writes that send no signals (``QuerySet.update``, ``bulk_create``, an import)
call ``catalogue_changed()`` themselves.
"""

import hashlib
import logging
import time
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import cc_delim_re, patch_vary_headers

VERSION_KEY = "procedures:catalogue-version"
_UNCACHEABLE_CONTROL = {"private", "no-cache", "no-store"}
logger = logging.getLogger(__name__)


def cache_public_page(view):
    """Serve ``view``'s GET answer from the page cache when it is safe for this visitor (see the module)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds or request.method not in ("GET", "HEAD") or not _carries_nothing_personal(request):
            return view(request, *args, **kwargs)
        try:
            key = _page_key(request)
            stored = cache.get(key)
        except Exception:  # noqa: BLE001 (a cache that is down only costs a render, never the page)
            return view(request, *args, **kwargs)
        if stored is not None:
            content, content_type = stored
            response = HttpResponse(content, content_type=content_type)
        else:
            response = view(request, *args, **kwargs)
            if not _is_public(request, response):
                return response
            try:
                cache.set(key, (response.content, response["Content-Type"]), seconds)
            except Exception:  # noqa: BLE001 (as above)
                pass
        # The page differs by the language cookie: a shared cache downstream must not mix them.
        patch_vary_headers(response, ("Cookie",))
        return response

    return wrapped


def _carries_nothing_personal(request):
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _page_key(request):
    # The version is read before the page is rendered: a page rendered from data older than a
    # change is stored under the version before it and never served after it.
    address = f"{request.get_host()}{request.get_full_path()}"
    digest = hashlib.blake2b(address.encode(), digest_size=16).hexdigest()
    return f"page:{catalogue_version()}:{translation.get_language()}:{digest}"


def _is_public(request, response):
    if response.status_code != 200 or response.cookies or response.streaming:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # the page carries a CSRF token
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
    """The current version (created on first use; the cache may have been emptied)."""
    return cache.get_or_set(VERSION_KEY, time.time_ns, None)


def catalogue_changed():
    """Give the catalogue a new version now and again once the current transaction commits.

    Now, so the very next request in this transaction's view of the world sees the change;
    after the commit, so a page rendered by another request from the data before the commit
    (and stored under the version it read first) cannot outlive it.
    """
    _new_version()
    transaction.on_commit(_new_version)


def _new_version():
    try:
        cache.set(VERSION_KEY, time.time_ns(), None)
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
