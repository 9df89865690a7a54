"""Site-wide protections of an internet-facing portal: who the client is, how long a session
lives, which pages must never be stored by a browser or a proxy, and a clear 400 for input
no page could ever have produced.

Each piece is a small middleware listed in ``settings.MIDDLEWARE``; the policy headers
(Content-Security-Policy, Permissions-Policy) come from django-csp and
django-permissions-policy, configured in the settings.
"""

import ipaddress
import logging
import time

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def client_ip(request):
    """The client's address: the reverse proxy's header (``CLIENT_IP_META_KEY``) or REMOTE_ADDR.

    The rate limits (``RATELIMIT_IP_META_KEY``) and the login lockout (``AXES_CLIENT_IP_CALLABLE``)
    both read it, so behind nginx neither sees every citizen as the proxy's one address.
    The proxy overwrites the header (``proxy_set_header X-Real-IP $remote_addr``), so a client
    cannot choose its own.
    """
    remote = request.META.get("REMOTE_ADDR") or ""
    value = request.META.get(settings.CLIENT_IP_META_KEY, "") if settings.CLIENT_IP_META_KEY != "REMOTE_ADDR" else ""
    # A header may carry a list ("client, proxy1"); the first is the client. Anything that is not
    # an address (absent, garbage) falls back to the connection's own address.
    candidate = value.split(",")[0].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote or "0.0.0.0"


# --- 400 for malformed input -----------------------------------------------------------------------

def bad_request(request, exception=None):
    """The friendly 400 page, also Django's ``handler400`` (SuspiciousOperation and the like)."""
    return render(request, "400.html", {
        "message": _("Đường dẫn hoặc dữ liệu gửi lên không hợp lệ. Vui lòng kiểm tra lại đường dẫn "
                     "trong tin nhắn hoặc bắt đầu lại từ trang chủ."),
    }, status=400)


def _has_control_characters(text):
    return any(ord(char) < 32 or ord(char) == 127 for char in text)


class MalformedRequestMiddleware:
    """Answer 400, never 500, to addresses and values no page of the portal produces.

    * a control character (a NUL byte above all: PostgreSQL refuses it in any query) in the
      path is refused before any view runs (query parameters are the forms' business: Django's
      form fields refuse NUL bytes with a message, and the catalogue drops bad parameters);
    * a ``ValidationError`` escaping a view comes from a malformed identifier reaching the ORM
      (``submission_token=abc`` for a UUID column, say): the client sent something wrong.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_control_characters(request.path):
            return bad_request(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ValidationError):
            logger.warning("malformed value in %s: %s", request.path, exception)
            return bad_request(request)
        return None


class RequestBodyLimitMiddleware:
    """413 for a request announcing a body larger than ``MAX_REQUEST_BODY_BYTES`` (a dossier's files,
    ``UPLOAD_MAX_DOSSIER_BYTES``, plus the form around them), before a byte of it is read.

    Django caps the form fields (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but streams files to disk without
    a total; nginx (deploy/nginx.conf, ``client_max_body_size``) refuses the same bodies first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return bad_request(request)
        if length > settings.MAX_REQUEST_BODY_BYTES:
            return render(request, "400.html", {
                "message": _("Dữ liệu gửi lên quá lớn (tối đa %(mb)s MB một lần). Vui lòng tải lên ít tệp hơn "
                             "mỗi lần, hoặc giảm dung lượng tệp.") % {
                    "mb": settings.MAX_REQUEST_BODY_BYTES // (1024 * 1024)},
            }, status=413)
        return self.get_response(request)


# --- Session lifetimes -----------------------------------------------------------------------------

SESSION_LAST_SEEN = "_last_seen"
SESSION_STAFF_SINCE = "_staff_since"
# The last-seen time is written at most this often, so a clerk's page views do not each write the session.
TOUCH_EVERY_SECONDS = 60


class SessionLifetimeMiddleware:
    """End idle and old sessions: citizens after ``CITIZEN_SESSION_IDLE_SECONDS`` without a request,
    staff after ``STAFF_SESSION_IDLE_SECONDS`` without one or ``STAFF_SESSION_MAX_SECONDS`` after
    signing in, whatever they do in between.

    A session that ended is flushed (a clerk is signed out and sent to the sign-in page by the
    admin; a citizen's wizard starts again, its typed data kept in the server-side draft until
    the draft expires). The cookie's own lifetime follows the idle limit.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None:
            self._apply(request, session)
        return self.get_response(request)

    def _apply(self, request, session):
        user = getattr(request, "user", None)
        is_staff = bool(user is not None and user.is_authenticated and user.is_staff)
        if not is_staff and session.is_empty():
            return  # nothing to protect; do not create a session for an anonymous visitor
        now = int(time.time())
        idle_limit = settings.STAFF_SESSION_IDLE_SECONDS if is_staff else settings.CITIZEN_SESSION_IDLE_SECONDS
        last_seen = session.get(SESSION_LAST_SEEN)
        staff_since = session.get(SESSION_STAFF_SINCE)
        expired = last_seen is not None and now - last_seen > idle_limit
        if is_staff and staff_since is not None and now - staff_since > settings.STAFF_SESSION_MAX_SECONDS:
            expired = True
        if expired:
            if is_staff:
                logout(request)
            else:
                session.flush()
            return
        if is_staff and staff_since is None:
            session[SESSION_STAFF_SINCE] = now
        if last_seen is None or now - last_seen >= TOUCH_EVERY_SECONDS:
            session[SESSION_LAST_SEEN] = now
            session.set_expiry(idle_limit)


# --- no-store on pages with personal data ---------------------------------------------------------

# The URL namespaces whose pages show (or accept) a citizen's personal data: the wizard and its
# success and receipt pages, the lookup and the secret-link pages, payments, the back office,
# the citizen's own account pages.
PERSONAL_DATA_NAMESPACES = frozenset({"filing", "tracking", "payments", "admin", "accounts", "audit"})


class PersonalDataNoStoreMiddleware:
    """``Cache-Control: no-store, private`` on every page of ``PERSONAL_DATA_NAMESPACES``.

    Whatever the view set: a browser's back button on a shared computer, or a proxy, must never
    show someone else the declaration, the receipt or a dossier's status.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        namespaces = set(match.namespaces) if match is not None else set()
        if namespaces & PERSONAL_DATA_NAMESPACES:
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response
