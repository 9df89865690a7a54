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
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "notifications.sms.InMemoryBackend"
