"""Settings for the test suite: the portal's own settings, in local mode, with the captcha in test mode.

Real services come from the environment like in production: ``DATABASE_URL``
(PostgreSQL in CI), ``CELERY_BROKER_URL`` and ``CACHE_URL`` (Redis in CI).
"""

import os

os.environ.setdefault("PORTAL_LOCAL", "1")
os.environ.setdefault("CAPTCHA_TEST_MODE", "1")
os.environ.setdefault("PORTAL_VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))

from portal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never in production

# Unit tests send in-process and keep messages in memory; the integration fixtures
# (tests/fixtures/) switch to a real broker, worker, SMTP server and Twilio-speaking server.
# The Celery worker those fixtures start sets the TEST_* variables to use the real ones.
CELERY_TASK_ALWAYS_EAGER = env_bool("TEST_CELERY_ALWAYS_EAGER", True)  # noqa: F405
EMAIL_BACKEND = os.environ.get("TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
SMS_BACKEND = os.environ.get("TEST_SMS_BACKEND", "notifications.sms.InMemoryBackend")
# The worker the integration fixtures start listens on a queue of its own test.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("TEST_CELERY_QUEUE", "celery")
# WhiteNoise warns about a missing STATIC_ROOT on every request otherwise.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# The public pages' cache outlives a test's rolled-back data; the tests of the cache turn it on
# (tests/procedures/test_page_cache.py), the others see every page rendered.
PAGE_CACHE_SECONDS = 0
# The filing quotas (filing/quotas.py) count per client address, and every test client is 127.0.0.1:
# the suite would reach them. tests/filing/test_quotas.py sets them low and turns the upload captcha on.
FILING_DRAFTS_PER_ADDRESS = "100000/d"
FILING_UPLOAD_BYTES_PER_ADDRESS = 1 << 40
FILING_UPLOAD_CAPTCHA = False
