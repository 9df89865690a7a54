"""Settings for the portal, read from the environment.

The defaults run the portal locally with nothing installed but Python: SQLite in
``var/``, Celery in eager mode, SMS and email printed to the console. Production sets
``DEBUG=0`` and real values (see README, "Configuration").
"""

import os
import shutil
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)
# PORTAL_LOCAL=1 marks a developer's or a test machine: the demo seed and the
# sandbox payment gateway are allowed, HTTPS is not enforced. It is never implied
# (not even by DEBUG=1): a server is a production server unless it says otherwise.
PORTAL_LOCAL = env_bool("PORTAL_LOCAL", default=False)
# Only a local machine gets a built-in key: a published key lets anyone forge the
# secret links (result downloads, supplements, payments) and sessions.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not PORTAL_LOCAL:
        raise ImproperlyConfigured("SECRET_KEY must be set (or PORTAL_LOCAL=1 on a developer's machine).")
    SECRET_KEY = "local-development-only-key-not-for-production-use-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if PORTAL_LOCAL else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Django's admin, with the staff's two-factor sign-in (portal/staff_auth.py).
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "captcha",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "portal",
    "procedures",
    "dossiers",
    "notifications",
    "payments",
    "filing",
    "tracking",
    "accounts",
    "backoffice",
    "reporting",
    "national_portal",
    "esign",
    "retention",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the database: a NUL byte in the address answers 400, not 500.
    "portal.security.MalformedRequestMiddleware",
    "portal.security.RequestBodyLimitMiddleware",
    # Stored public pages are served here, before sessions, CSRF and the rest; a page is stored
    # with the headers the middleware below gave it (procedures/pagecache.py).
    "procedures.pagecache.PublicPageCacheMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.security.SessionLifetimeMiddleware",
    "portal.security.PersonalDataNoStoreMiddleware",
    # Who is acting, for the audit trail of the back office's changes.
    "audit.middleware.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a django-ratelimit refusal into RATELIMIT_VIEW's page (429).
    "django_ratelimit.middleware.RatelimitMiddleware",
    # An object store that is down: a clear 503 page instead of a 500 (dossiers/storage.py).
    "portal.middleware.StorageUnavailableMiddleware",
    # Last, as django-axes asks: it turns locked-out logins into a clear page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
                "accounts.context_processors.citizen",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'portal.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# Behind PgBouncer in transaction pooling (DATABASE_PGBOUNCER=1; README, "Several nodes") each
# transaction may run on another server connection: no server-side cursors (they outlive the
# transaction that opened them) and no session state (the code sets none; the time zone Django
# sets is one of the parameters PgBouncer carries over).
DATABASE_PGBOUNCER = env_bool("DATABASE_PGBOUNCER")
if DATABASE_PGBOUNCER:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# PostgreSQL itself, for the tools that keep session state (pg_dump and pg_restore in
# backup_portal/restore_portal); empty: DATABASE_URL's host and port.
DATABASE_DIRECT_HOST = os.environ.get("DATABASE_DIRECT_HOST", "")
DATABASE_DIRECT_PORT = env_int("DATABASE_DIRECT_PORT", 0) or ""
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # SQLite is only for local use; these make it cope with the dev server and eager Celery.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, captcha); Redis in production --------------------------
CACHE_URL = os.environ.get("CACHE_URL", "")


def _cache(url, name, **extra):
    """Django's Redis cache at ``url``, answered from the process's memory while Redis is down, so a
    stopped Redis never turns a filing or a lookup into a 500 (portal/cache.py); without a URL,
    the process's own memory."""
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": name}
    return {"BACKEND": "portal.cache.RedisCacheWithLocalFallback", "LOCATION": url,
            "OPTIONS": {"retry_seconds": env_int("CACHE_RETRY_SECONDS", 5)}, **extra}


CACHES = {"default": _cache(CACHE_URL, "")}
# The page cache and what else the catalogue's version governs (procedures/pagecache.py: the
# version, whole public pages; filing/catalogue.py: the procedures a submission is checked
# against). Nothing there is needed: it is all read again when missing. So it may live on a
# Redis of its own whose memory is bounded (maxmemory, allkeys-lru: docker-compose.yml's
# redis-pages), where a flood of distinct searches only evicts older pages, apart from the
# "default" cache's rate limits and captcha marks, which must never be evicted. PAGE_CACHE_URL
# unset: the default cache's Redis (the keys are prefixed), or each process's memory locally.
PAGE_CACHE_URL = os.environ.get("PAGE_CACHE_URL", "") or CACHE_URL
CACHES["pages"] = _cache(PAGE_CACHE_URL, "pages", KEY_PREFIX="pages")
# The layout's fixed parts (templates/base.html's {% cache %} fragments: head links, header,
# navigation, footer), one copy per language in each process. They depend on nothing but the
# language, the settings and the code, all fixed until the process restarts, so no invalidation
# is needed; Django's cache tag looks for this alias by name. In DEBUG nothing is kept, so an
# edited layout shows at once under the dev server.
CACHES["template_fragments"] = {
    "BACKEND": ("django.core.cache.backends.dummy.DummyCache" if DEBUG
                else "django.core.cache.backends.locmem.LocMemCache"),
    "LOCATION": "layout",
}
# django-ratelimit warns that a per-process cache is not shared between workers;
# that is the point of CACHE_URL in production, and harmless locally. With CACHE_URL it only
# warns that it does not know portal.cache's class, which is Django's RedisCache underneath.
SILENCED_SYSTEM_CHECKS = (["django_ratelimit.E003", "django_ratelimit.W001"] if PORTAL_LOCAL and not CACHE_URL
                          else ["django_ratelimit.W001"])
# Anonymous public catalogue pages are kept whole in the cache this long (procedures/pagecache.py;
# any catalogue change makes them stale at once). 0 turns the page cache off. Without a shared
# cache (CACHE_URL) each process has its own, which only a single-process local server may use.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600 if CACHE_URL or PORTAL_LOCAL else 0)
RATELIMIT_VIEW = "portal.views.rate_limited"
# The client's address, for the rate limits and the login lockout alike: behind the reverse
# proxy (deploy/nginx.conf) it is the header the proxy sets, CLIENT_IP_META_KEY=HTTP_X_REAL_IP;
# unset, REMOTE_ADDR. (RATELIMIT_IP_META_KEY is the older name of the same variable.)
CLIENT_IP_META_KEY = (os.environ.get("CLIENT_IP_META_KEY") or os.environ.get("RATELIMIT_IP_META_KEY")
                      or "REMOTE_ADDR")
RATELIMIT_IP_META_KEY = "portal.security.client_ip"
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"

# --- Authentication ---------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1)
# Locked is the pair (username, address): a stranger cannot lock a clerk out from elsewhere,
# and behind the proxy the address is the client's (CLIENT_IP_META_KEY), not the proxy's.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "portal.security.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
LOGIN_URL = "admin:login"

# --- Internationalisation ------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Static files and private uploads ------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (form templates, dossier attachments, results) live outside any
# public path and are only served through access-checked views: there is no MEDIA_URL.
PRIVATE_FILES_ROOT = Path(os.environ.get("PRIVATE_FILES_ROOT", VAR_DIR / "files"))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_FILES_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and not PORTAL_LOCAL
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

# Several web nodes share no disk: with S3_BUCKET set, private files go to an S3-compatible
# object store instead (dossiers/storage.py; README, "Several nodes"), still never by URL.
def s3_storage(env):
    """The default storage on the object store the ``S3_*`` variables of ``env`` describe."""
    from botocore.config import Config

    def number(name, default):
        return int(env.get(name) or default)

    # Empty S3_SERVER_SIDE_ENCRYPTION for a store that offers none (it would refuse the header).
    encryption = env.get("S3_SERVER_SIDE_ENCRYPTION", "AES256")
    return {
        "BACKEND": "dossiers.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": env["S3_BUCKET"],
            "endpoint_url": env.get("S3_ENDPOINT_URL") or None,
            "region_name": env.get("S3_REGION") or None,
            # Unset: boto3's own chain (environment, instance role).
            "access_key": env.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": env.get("S3_SECRET_ACCESS_KEY") or None,
            "location": env.get("S3_PREFIX", ""),
            "default_acl": "private",
            "file_overwrite": False,
            "object_parameters": {"ServerSideEncryption": encryption} if encryption else {},
            "client_config": Config(
                # A store that is down must fail a citizen's upload in seconds, not hang it.
                connect_timeout=number("S3_CONNECT_TIMEOUT", 3),
                read_timeout=number("S3_READ_TIMEOUT", 20),
                retries={"mode": "standard", "max_attempts": number("S3_MAX_ATTEMPTS", 2)},
                s3={"addressing_style": env.get("S3_ADDRESSING_STYLE") or "auto"},
                signature_version="s3v4",
                # Checksums only where S3 requires them: many S3-compatible stores refuse the newer ones.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        },
    }


if os.environ.get("S3_BUCKET"):
    STORAGES["default"] = s3_storage(os.environ)
UPLOAD_ALLOWED_TYPES = ["application/pdf", "image/jpeg", "image/png",
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
UPLOAD_MAX_FILE_BYTES = env_int("UPLOAD_MAX_FILE_MB", 10) * 1024 * 1024
UPLOAD_MAX_DOSSIER_BYTES = env_int("UPLOAD_MAX_DOSSIER_MB", 50) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The largest request body accepted at all (portal.security.RequestBodyLimitMiddleware): a dossier's
# files and the form fields around them. deploy/nginx.conf's client_max_body_size matches it.
MAX_REQUEST_BODY_BYTES = UPLOAD_MAX_DOSSIER_BYTES + DATA_UPLOAD_MAX_MEMORY_SIZE + 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Security (production) -----------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Every cookie (session, CSRF, language, messages) is SameSite=Lax, and Secure in production.
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
if not PORTAL_LOCAL:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Session lifetimes (portal.security.SessionLifetimeMiddleware): a citizen's session ends after
# 2 hours without a request; a clerk's after 30 minutes without one, and 10 hours after sign-in.
CITIZEN_SESSION_IDLE_SECONDS = env_int("CITIZEN_SESSION_IDLE_SECONDS", 2 * 3600)
STAFF_SESSION_IDLE_SECONDS = env_int("STAFF_SESSION_IDLE_SECONDS", 30 * 60)
STAFF_SESSION_MAX_SECONDS = env_int("STAFF_SESSION_MAX_SECONDS", 10 * 3600)
SESSION_COOKIE_AGE = CITIZEN_SESSION_IDLE_SECONDS

# Staff sign in with a password and a one-time code (TOTP app or a recovery code; django-otp).
# On by default; local machines and the test suite turn it off unless they ask for it.
STAFF_TWO_FACTOR_REQUIRED = env_bool("STAFF_TWO_FACTOR_REQUIRED", not PORTAL_LOCAL)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Cổng dịch vụ công")
# A staff member without a device enrols their own at the first sign-in (QR code, a code to confirm,
# recovery codes shown once; portal.staff_auth). Off: an administrator enrols each one (enrol_two_factor).
STAFF_TWO_FACTOR_SELF_ENROL = env_bool("STAFF_TWO_FACTOR_SELF_ENROL", True)

# Content-Security-Policy (django-csp): scripts and styles only from our own static files,
# no inline script, no inline style (no <style> element, no style="" attribute: the templates use
# classes of static/css), no plugin, no framing. Images may be data: URIs (QR codes). No
# form-action: the payment gateway and the VNeID sign-in are reached by redirects to other origins.
# The one exception is a single response, not a path: the email preview of a message template
# (notifications.admin, a sandboxed frame), whose HTML must carry style="" for email clients.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    },
}
# Permissions-Policy (django-permissions-policy): the portal uses none of these browser features.
PERMISSIONS_POLICY = {feature: [] for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "fullscreen", "geolocation",
    "gyroscope", "magnetometer", "microphone", "midi", "payment", "picture-in-picture", "publickey-credentials-get",
    "screen-wake-lock", "usb", "xr-spatial-tracking")}

# --- Celery -----------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # kombu's Redis transport with the fix that keeps a worker alive across a Redis restart
    # (see portal.celery.RedisQoS).
    CELERY_BROKER_TRANSPORT = "portal.celery:RedisTransport"
# No broker configured: run tasks in-process, so a local portal needs no Redis.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# A message is acknowledged only once its task finished, so a worker killed mid-task
# leaves it to another worker; the outbox row's state keeps that from sending twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Keep a worker's database connection between tasks (Celery's fix-up otherwise opens one per
# task); portal.celery closes a broken or too old one around each task, as Django does per request.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    # A broker that is down or hanging must not hold up a citizen's request: publishing
    # gives up within a few seconds and the outbox sweep sends the messages later.
    "socket_connect_timeout": env_int("CELERY_BROKER_CONNECT_TIMEOUT", 2),
    "socket_timeout": env_int("CELERY_BROKER_SOCKET_TIMEOUT", 2),
}
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECT_TIMEOUT", 2)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5,
                                    "interval_max": 0.5}
CELERY_BEAT_SCHEDULE = {
    "send-unsent-notifications": {
        "task": "notifications.tasks.send_unsent_notifications",
        # Every 5 s: a dead worker's rows go out at most this long after its lease ends (see
        # NOTIFICATIONS_LEASE_SECONDS); each run is two indexed statements, cheap at this rate.
        "schedule": env_int("NOTIFICATIONS_SWEEP_SECONDS", 5),
    },
    "delete-expired-drafts": {
        "task": "filing.tasks.delete_expired_drafts",
        "schedule": 3600,
    },
    "delete-expired-exports": {
        "task": "backoffice.tasks.delete_expired_exports",
        "schedule": 3600,
    },
    "delete-orphan-files": {
        "task": "portal.tasks.delete_orphan_files",
        "schedule": 24 * 3600,
    },
    "refresh-statistics": {
        "task": "reporting.tasks.refresh_statistics",
        "schedule": env_int("STATISTICS_REFRESH_SECONDS", 3600),
    },
    "sync-national-portal": {
        "task": "national_portal.tasks.sweep_sync_messages",
        "schedule": env_int("NATIONAL_PORTAL_SWEEP_SECONDS", 60),
    },
    "anonymise-expired-dossiers": {
        "task": "retention.tasks.anonymise_expired_dossiers",
        "schedule": 86400,
    },
}
# Exactly one beat however many are started (a second one by mistake, a replacement during a
# deploy): celery-redbeat keeps the schedule in Redis and the running beat holds a lock there,
# renewed every loop; another beat waits for the lock and takes over within
# REDBEAT_LOCK_TIMEOUT seconds of the holder's death. A local machine keeps Celery's file scheduler.
CELERY_BEAT_SCHEDULER = os.environ.get("CELERY_BEAT_SCHEDULER") or (
    "redbeat.RedBeatScheduler" if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) and not PORTAL_LOCAL
    else "celery.beat:PersistentScheduler")
CELERY_BEAT_MAX_LOOP_INTERVAL = env_int("CELERY_BEAT_MAX_LOOP_INTERVAL", 5)
CELERY_REDBEAT_REDIS_URL = os.environ.get("REDBEAT_REDIS_URL") or CELERY_BROKER_URL
CELERY_REDBEAT_REDIS_OPTIONS = {"socket_connect_timeout": 5, "socket_timeout": 10}
CELERY_REDBEAT_KEY_PREFIX = os.environ.get("REDBEAT_KEY_PREFIX", "redbeat:")
CELERY_REDBEAT_LOCK_TIMEOUT = env_int("REDBEAT_LOCK_TIMEOUT", 30)

# --- Email (Django's SMTP backend in production) ----------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if PORTAL_LOCAL else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Cổng dịch vụ công <no-reply@dichvucong.example.gov.vn>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- SMS ------------------------------------------------------------------------------------
SMS_BACKEND = os.environ.get(
    "SMS_BACKEND", "notifications.sms.ConsoleBackend" if PORTAL_LOCAL else "notifications.sms.TwilioBackend"
)
# Vietnamese diacritics force UCS-2 (70 characters a segment); most operators send without.
SMS_STRIP_DIACRITICS = env_bool("SMS_STRIP_DIACRITICS", True)
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = os.environ.get("TWILIO_FROM_NUMBER", "")
TWILIO_MESSAGING_SERVICE_SID = os.environ.get("TWILIO_MESSAGING_SERVICE_SID", "")
# Only for tests and staging: point the official client at another host.
TWILIO_API_BASE_URL = os.environ.get("TWILIO_API_BASE_URL", "")
TWILIO_TIMEOUT = env_int("TWILIO_TIMEOUT", 10)

# --- Notification outbox (see README, "Notifications") ----------------------------------------
NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 10)
# Temporary failures wait base × 2^(attempt − 1) seconds, at most the cap.
NOTIFICATIONS_RETRY_BASE_SECONDS = float(os.environ.get("NOTIFICATIONS_RETRY_BASE_SECONDS") or 30)
NOTIFICATIONS_RETRY_MAX_SECONDS = float(os.environ.get("NOTIFICATIONS_RETRY_MAX_SECONDS") or 3600)
# A worker owns a row it claimed for this long. Longer than one attempt of a whole batch: the
# "already sent?" question and the send (TWILIO_TIMEOUT, EMAIL_TIMEOUT: 10 s each, so 20 s,
# every row of a batch on a thread of its own), with 25 s left to record the outcome through
# a lost database connection; a live worker never loses a row it is still sending, which would
# be sent twice. Short enough that a dead worker's rows go out within a minute: at most the
# lease, then the next sweep (NOTIFICATIONS_SWEEP_SECONDS, 5 s), then the send: 45 + 5 + ~1 s.
# Measured by tests/notifications/test_dead_worker.py: 46.9 s and 50.1 s (README, "Notifications").
NOTIFICATIONS_LEASE_SECONDS = float(os.environ.get("NOTIFICATIONS_LEASE_SECONDS") or 45)
# The sweep leaves rows younger than this to the task queued on commit.
NOTIFICATIONS_SWEEP_GRACE_SECONDS = float(os.environ.get("NOTIFICATIONS_SWEEP_GRACE_SECONDS") or 30)
# A row still unsent this long after it was written becomes a technical failure (GOV.UK Notify: 72 h).
NOTIFICATIONS_GIVE_UP_HOURS = float(os.environ.get("NOTIFICATIONS_GIVE_UP_HOURS") or 72)

# A worker claims up to this many due rows at once (one statement) and sends them on this many
# threads at a time: a provider's round trip (~150 ms) is waited for in parallel, not in turn.
NOTIFICATIONS_BATCH_SIZE = env_int("NOTIFICATIONS_BATCH_SIZE", 64)
NOTIFICATIONS_SEND_THREADS = env_int("NOTIFICATIONS_SEND_THREADS", 64)
# Stored files that no row names are deleted by the daily clean-up once this old (portal/stored_files.py).
ORPHAN_FILE_MIN_AGE_HOURS = float(os.environ.get("ORPHAN_FILE_MIN_AGE_HOURS") or 24)

# --- The portal -------------------------------------------------------------------------------
# Absolute address of the portal, used in SMS, email and QR codes.
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
PORTAL_NAME = os.environ.get("PORTAL_NAME", "Cổng dịch vụ công trực tuyến")
PORTAL_AUTHORITY = os.environ.get("PORTAL_AUTHORITY", "Ủy ban nhân dân Thành phố Hà Nội")
# Dossiers received after this hour count their processing time from the next working day.
RECEPTION_CUTOFF_HOUR = env_int("RECEPTION_CUTOFF_HOUR", 15)
DUE_SOON_WORKING_DAYS = env_int("DUE_SOON_WORKING_DAYS", 2)
# The dossier list's XLSX export: built in the request up to this many rows, above by a Celery task into a
# private file its clerk downloads for BACKOFFICE_EXPORT_HOURS (backoffice/exports.py). The CSV is always streamed.
BACKOFFICE_EXPORT_INLINE_ROWS = env_int("BACKOFFICE_EXPORT_INLINE_ROWS", 5000)
BACKOFFICE_EXPORT_HOURS = env_int("BACKOFFICE_EXPORT_HOURS", 24)
WIZARD_DRAFT_HOURS = env_int("WIZARD_DRAFT_HOURS", 24)
# What one visitor may store before filing (filing/quotas.py): drafts in progress per browser
# session, drafts started per client address, bytes uploaded per address per day, and a captcha
# answered once per draft before its first upload.
FILING_DRAFTS_PER_SESSION = env_int("FILING_DRAFTS_PER_SESSION", 5)
FILING_DRAFTS_PER_ADDRESS = os.environ.get("FILING_DRAFTS_PER_ADDRESS", "50/d")
FILING_UPLOAD_BYTES_PER_ADDRESS = env_int("FILING_UPLOAD_MB_PER_ADDRESS", 1000) * 1024 * 1024
FILING_UPLOAD_CAPTCHA = env_bool("FILING_UPLOAD_CAPTCHA", True)
# The resume link sent by SMS/email after "Lưu và tiếp tục sau" (filing/quotas.py): at most once
# per draft in this many minutes, and so many a day per client address and per phone or email.
FILING_RESUME_LINK_MINUTES = env_int("FILING_RESUME_LINK_MINUTES", 10)
FILING_RESUME_LINKS_PER_ADDRESS = os.environ.get("FILING_RESUME_LINKS_PER_ADDRESS", "20/d")
FILING_RESUME_LINKS_PER_RECIPIENT = os.environ.get("FILING_RESUME_LINKS_PER_RECIPIENT", "5/d")
SUPPLEMENT_LINK_DAYS = env_int("SUPPLEMENT_LINK_DAYS", 30)
SUBMIT_RATE = os.environ.get("SUBMIT_RATE", "10/h")
LOOKUP_RATE = os.environ.get("LOOKUP_RATE", "20/m")
# The lookup's second factor (last four digits of the phone): wrong answers allowed per client
# address and per dossier code within the window, before no more are checked.
LOOKUP_SECOND_FACTOR_MAX_PER_ADDRESS = env_int("LOOKUP_SECOND_FACTOR_MAX_PER_ADDRESS", 10)
LOOKUP_SECOND_FACTOR_MAX_PER_CODE = env_int("LOOKUP_SECOND_FACTOR_MAX_PER_CODE", 5)
LOOKUP_SECOND_FACTOR_WINDOW_SECONDS = env_int("LOOKUP_SECOND_FACTOR_WINDOW_SECONDS", 3600)
# The applicant's own status link (in their messages) opens the full status without a captcha.
STATUS_LINK_DAYS = env_int("STATUS_LINK_DAYS", 365)
# How long the secret links for the electronic result and the satisfaction rating work.
RESULT_LINK_DAYS = env_int("RESULT_LINK_DAYS", 90)
RATING_LINK_DAYS = env_int("RATING_LINK_DAYS", 90)

# --- The national system (issue 16; README "The portal in the national system") ---------------
# Sync with the National Public Service Portal: off while NATIONAL_PORTAL_URL is empty.
NATIONAL_PORTAL_URL = os.environ.get("NATIONAL_PORTAL_URL", "")
NATIONAL_PORTAL_AGENCY_CODE = os.environ.get("NATIONAL_PORTAL_AGENCY_CODE", "")
NATIONAL_PORTAL_USERNAME = os.environ.get("NATIONAL_PORTAL_USERNAME", "")
NATIONAL_PORTAL_PASSWORD = os.environ.get("NATIONAL_PORTAL_PASSWORD", "")
NATIONAL_PORTAL_TIMEOUT = float(os.environ.get("NATIONAL_PORTAL_TIMEOUT") or 15)
NATIONAL_PORTAL_MAX_ATTEMPTS = env_int("NATIONAL_PORTAL_MAX_ATTEMPTS", 10)
NATIONAL_PORTAL_RETRY_BASE_SECONDS = float(os.environ.get("NATIONAL_PORTAL_RETRY_BASE_SECONDS") or 30)
NATIONAL_PORTAL_RETRY_MAX_SECONDS = float(os.environ.get("NATIONAL_PORTAL_RETRY_MAX_SECONDS") or 3600)
# A worker owns a dossier's queue this long; longer than one call (NATIONAL_PORTAL_TIMEOUT).
NATIONAL_PORTAL_LEASE_SECONDS = float(os.environ.get("NATIONAL_PORTAL_LEASE_SECONDS") or 120)
NATIONAL_PORTAL_SWEEP_GRACE_SECONDS = float(os.environ.get("NATIONAL_PORTAL_SWEEP_GRACE_SECONDS") or 60)
# Signed electronic results (PAdES): the portal's certificate and key, or one pair per agency
# named by its mã định danh in RESULT_SIGNING_AGENCY_DIR. Unsigned while none is set.
RESULT_SIGNING_CERT_FILE = os.environ.get("RESULT_SIGNING_CERT_FILE", "")
RESULT_SIGNING_KEY_FILE = os.environ.get("RESULT_SIGNING_KEY_FILE", "")
RESULT_SIGNING_KEY_PASSPHRASE = os.environ.get("RESULT_SIGNING_KEY_PASSPHRASE", "")
RESULT_SIGNING_AGENCY_DIR = os.environ.get("RESULT_SIGNING_AGENCY_DIR", "")
# Personal data of a closed dossier is removed this many years after its final status.
PERSONAL_DATA_RETENTION_YEARS = env_int("PERSONAL_DATA_RETENTION_YEARS", 5)

# --- Sign-in with VNeID (OpenID Connect, accounts/) ---------------------------------------------
# Empty issuer or client id: no sign-in link, filing stays anonymous. Endpoints come from the
# issuer's discovery document unless given one by one (a given one wins).
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").rstrip("/")
OIDC_DISCOVERY_URL = os.environ.get("OIDC_DISCOVERY_URL", "")
OIDC_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_TOKEN_ENDPOINT = os.environ.get("OIDC_TOKEN_ENDPOINT", "")
OIDC_JWKS_URI = os.environ.get("OIDC_JWKS_URI", "")
OIDC_USERINFO_ENDPOINT = os.environ.get("OIDC_USERINFO_ENDPOINT", "")
OIDC_END_SESSION_ENDPOINT = os.environ.get("OIDC_END_SESSION_ENDPOINT", "")
OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_TOKEN_AUTH_METHOD = os.environ.get("OIDC_TOKEN_AUTH_METHOD", "client_secret_basic")
OIDC_SCOPES = os.environ.get("OIDC_SCOPES", "openid")
OIDC_ACR_VALUES = os.environ.get("OIDC_ACR_VALUES", "")
# Claim names (VNeID's by default): the stable subject, ID number, name, birth date, account type, tax code.
OIDC_CLAIMS = {
    "subject": os.environ.get("OIDC_CLAIM_SUBJECT", "TechID"),
    "id_number": os.environ.get("OIDC_CLAIM_ID_NUMBER", "SoDinhDanh"),
    "full_name": os.environ.get("OIDC_CLAIM_FULL_NAME", "HoVaTen"),
    "birth_date": os.environ.get("OIDC_CLAIM_BIRTH_DATE", "NgayThangNamSinh"),
    "account_type": os.environ.get("OIDC_CLAIM_ACCOUNT_TYPE", "LoaiTaiKhoan"),
    "tax_code": os.environ.get("OIDC_CLAIM_TAX_CODE", "MaSoThue"),
}
OIDC_CLOCK_LEEWAY_SECONDS = env_int("OIDC_CLOCK_LEEWAY_SECONDS", 60)
OIDC_TIMEOUT_SECONDS = env_int("OIDC_TIMEOUT_SECONDS", 10)
OIDC_METADATA_CACHE_SECONDS = env_int("OIDC_METADATA_CACHE_SECONDS", 300)
# The secret receipt link of the registration SMS and email (re-printable for years).
RECEIPT_LINK_DAYS = env_int("RECEIPT_LINK_DAYS", 3650)

# --- Payments ---------------------------------------------------------------------------------
PAYMENT_SANDBOX_ENABLED = env_bool("PAYMENT_SANDBOX_ENABLED", PORTAL_LOCAL)
VNPAY_TMN_CODE = os.environ.get("VNPAY_TMN_CODE", "SANDBOX1" if PORTAL_LOCAL else "")
VNPAY_HASH_SECRET = os.environ.get("VNPAY_HASH_SECRET", "sandbox-secret-not-for-production" if PORTAL_LOCAL else "")
# Empty: the in-project sandbox gateway (only when PAYMENT_SANDBOX_ENABLED).
VNPAY_PAYMENT_URL = os.environ.get("VNPAY_PAYMENT_URL", "")
# How long the payment link sent to the citizen works; how long the return page waits for the IPN.
PAYMENT_LINK_DAYS = env_int("PAYMENT_LINK_DAYS", 30)
PAYMENT_RETURN_WAIT_SECONDS = env_int("PAYMENT_RETURN_WAIT_SECONDS", 3)
# The reconciliation view lists online attempts still pending after this many minutes.
PAYMENT_PENDING_ALERT_MINUTES = env_int("PAYMENT_PENDING_ALERT_MINUTES", 30)
# The sandbox calls the IPN over HTTP (default: on the host the citizen used), or, with
# "inline" or when the server cannot call itself, the IPN view in-process.
PAYMENT_SANDBOX_IPN_URL = os.environ.get("PAYMENT_SANDBOX_IPN_URL", "")
PAYMENT_SANDBOX_IPN_MODE = os.environ.get("PAYMENT_SANDBOX_IPN_MODE", "http")
PAYMENT_SANDBOX_IPN_TIMEOUT = env_int("PAYMENT_SANDBOX_IPN_TIMEOUT", 10)

# --- Captcha --------------------------------------------------------------------------------
CAPTCHA_LENGTH = 5
CAPTCHA_TIMEOUT = 10  # minutes
CAPTCHA_IMAGE_SIZE = (140, 44)
CAPTCHA_FONT_SIZE = 30
# The audio alternative of the captcha is spoken by flite (Debian package "flite") when installed.
CAPTCHA_FLITE_PATH = os.environ.get("CAPTCHA_FLITE_PATH") or shutil.which("flite")
CAPTCHA_TEST_MODE = env_bool("CAPTCHA_TEST_MODE", False)
# Noise mixed into every spoken code (Debian package "sox"), different each time it is asked for,
# so a recording cannot be matched against flite's always-identical output.
CAPTCHA_SOX_PATH = os.environ.get("CAPTCHA_SOX_PATH") or shutil.which("sox")
# Per client address (portal/captcha_urls.py): an audio code costs two processes, a refresh a row.
CAPTCHA_IMAGE_RATE = os.environ.get("CAPTCHA_IMAGE_RATE", "60/m")
CAPTCHA_AUDIO_RATE = os.environ.get("CAPTCHA_AUDIO_RATE", "10/m")
CAPTCHA_REFRESH_RATE = os.environ.get("CAPTCHA_REFRESH_RATE", "30/m")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
