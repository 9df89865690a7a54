"""Shared fixtures. Fixtures that start real services live in ``tests/fixtures/``."""

import pytest
from django.conf import settings
from django.utils import translation

pytest_plugins = [
    "tests.fixtures.services",
    "tests.fixtures.browser",
    "tests.fixtures.axe",
    "tests.fixtures.twilio_fake",
    "tests.fixtures.smtp",
    "tests.fixtures.celery_worker",
    "tests.fixtures.national_portal_fake",
    "tests.fixtures.oidc",
]


@pytest.fixture(autouse=True)
def _vietnamese_by_default():
    """Each test starts in Vietnamese: LocaleMiddleware leaves the last request's language active in the thread."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
