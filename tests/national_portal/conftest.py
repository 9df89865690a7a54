"""Fixtures of the national portal's sync tests: the fake portal, and real Celery workers that call it."""

import uuid

import pytest

from tests.fixtures.celery_worker import Workers, database_url


class SyncWorkers(Workers):
    """Real ``celery worker`` processes of the sync, calling the fake portal (the outbox's sweep left out)."""

    log_name = "sync-worker"

    def __init__(self, *, broker_url, queue, tmp_path, portal_url):
        super().__init__(broker_url=broker_url, queue=queue, tmp_path=tmp_path)
        self.portal_url = portal_url

    def service_env(self):
        return {
            "NATIONAL_PORTAL_URL": self.portal_url,
            "NATIONAL_PORTAL_AGENCY_CODE": "000.00.00.H26",
            "NATIONAL_PORTAL_USERNAME": "cong-hanoi",
            "NATIONAL_PORTAL_PASSWORD": "mat-khau-thu",
            "NATIONAL_PORTAL_TIMEOUT": "1",
            "NATIONAL_PORTAL_RETRY_BASE_SECONDS": "0.3",
            "NATIONAL_PORTAL_RETRY_MAX_SECONDS": "2",
            "NATIONAL_PORTAL_LEASE_SECONDS": "3",
            "NATIONAL_PORTAL_SWEEP_SECONDS": "1",
            "NATIONAL_PORTAL_SWEEP_GRACE_SECONDS": "1",
            "NOTIFICATIONS_SWEEP_SECONDS": "3600",
        }

    start = Workers.start_worker


@pytest.fixture
def sync_enabled(settings, national_portal_fake):
    """The sync configured in the test process, pointing at the fake portal."""
    settings.NATIONAL_PORTAL_URL = national_portal_fake.url
    settings.NATIONAL_PORTAL_AGENCY_CODE = "000.00.00.H26"
    settings.NATIONAL_PORTAL_USERNAME = "cong-hanoi"
    settings.NATIONAL_PORTAL_PASSWORD = "mat-khau-thu"
    settings.NATIONAL_PORTAL_TIMEOUT = 1
    settings.NATIONAL_PORTAL_RETRY_BASE_SECONDS = 0.3
    return national_portal_fake


@pytest.fixture
def sync_workers(live_celery, sync_enabled, tmp_path):
    database_url()  # PostgreSQL or skip/fail
    helper = SyncWorkers(broker_url=live_celery.conf.broker_url, queue=live_celery.conf.task_default_queue,
                         tmp_path=tmp_path, portal_url=sync_enabled.url)
    yield helper
    helper.stop()


@pytest.fixture
def queue_name():
    return f"sync-test-{uuid.uuid4().hex[:10]}"
