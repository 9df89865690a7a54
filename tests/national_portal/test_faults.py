"""The sync with a real Celery worker against the fake national portal: outages of the portal and the broker.

Each test breaks a real part (the portal answers errors or hangs, the Redis broker stops,
a worker is killed mid-call), then counts what the portal received: every step of every
dossier applied exactly once, in the order it happened.
"""

import time

import pytest
from django.db import transaction

from national_portal.models import SyncMessage, SyncStatus
from tests.fixtures.celery_worker import wait_until

from .helpers import file_dossier, through_to_returned

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SERVICES_IN_ORDER = ["DongBoHoSoMC"] + ["CapNhatTienDoHoSoMC"] * 4
STATUSES_IN_ORDER = [None, "2", "4", "9", "10"]


def a_dossier_through_its_life():
    with transaction.atomic():
        dossier = file_dossier()
    through_to_returned(dossier)
    return dossier


def all_sent(dossiers):
    rows = SyncMessage.objects.filter(dossier__in=dossiers)
    return rows.exists() and not rows.exclude(status=SyncStatus.SENT).exists()


def assert_applied_once_in_order(fake, dossier):
    """The portal applied each of the dossier's rows once (by IdGiaoDich), in the rows' order."""
    rows = list(SyncMessage.objects.filter(dossier=dossier).order_by("id"))
    applied = [call for call in fake.applied_calls() if call["data"][0]["MaHoSo"] == dossier.code]
    assert [call["IdGiaoDich"] for call in sorted(applied, key=lambda call: call["at"])] \
        == [str(row.transaction_id) for row in rows]
    assert [call["service"] for call in applied] == SERVICES_IN_ORDER
    assert [call["data"][0].get("TrangThai") for call in applied] == STATUSES_IN_ORDER
    # Whatever was repeated (an attempt whose answer never came) carried the same IdGiaoDich.
    assert {call["IdGiaoDich"] for call in fake.calls_for(dossier.code)} == {str(row.transaction_id) for row in rows}


def test_a_worker_sends_every_step_in_order_once(sync_workers, national_portal_fake):
    sync_workers.start()
    dossiers = [a_dossier_through_its_life() for _ in range(3)]
    wait_until(lambda: all_sent(dossiers), timeout=30, message="every row sent")
    for dossier in dossiers:
        assert_applied_once_in_order(national_portal_fake, dossier)
        assert len(national_portal_fake.calls_for(dossier.code)) == 5


def test_the_portal_fails_then_recovers_and_the_order_holds(sync_workers, national_portal_fake):
    national_portal_fake.answer_next("500", "503", "429")
    sync_workers.start()
    dossier = a_dossier_through_its_life()
    wait_until(lambda: all_sent([dossier]), timeout=40, message="every row sent after the errors")
    assert_applied_once_in_order(national_portal_fake, dossier)
    first = SyncMessage.objects.filter(dossier=dossier).order_by("id").first()
    assert first.attempts == 4
    assert len(national_portal_fake.calls_for(dossier.code)) == 8


def test_the_portal_hangs_past_the_time_out(sync_workers, national_portal_fake):
    national_portal_fake.hang_seconds = 3          # the worker's time-out is 1 s
    national_portal_fake.answer_next("hang")
    sync_workers.start()
    dossier = a_dossier_through_its_life()
    wait_until(lambda: all_sent([dossier]), timeout=40, message="every row sent after the hang")
    calls = national_portal_fake.calls_for(dossier.code)
    assert calls[0]["IdGiaoDich"] == calls[1]["IdGiaoDich"] and calls[0]["answer"] == "hang"
    assert_applied_once_in_order(national_portal_fake, dossier)


def test_the_broker_is_down_while_clerks_work_then_everything_goes_once(sync_workers, national_portal_fake,
                                                                         own_redis):
    sync_workers.use_broker(own_redis.url)
    own_redis.stop()
    started = time.monotonic()
    dossier = a_dossier_through_its_life()
    assert time.monotonic() - started < 40
    assert set(SyncMessage.objects.filter(dossier=dossier).values_list("status", flat=True)) == {SyncStatus.PENDING}
    assert national_portal_fake.calls == []
    own_redis.start()
    sync_workers.start(beat=True)                    # the sweep finds the rows nobody queued
    wait_until(lambda: all_sent([dossier]), timeout=40, message="every row sent once Redis is back")
    time.sleep(3)                                   # more sweeps: nothing goes out again
    assert_applied_once_in_order(national_portal_fake, dossier)
    assert len(national_portal_fake.calls_for(dossier.code)) == 5


def test_a_worker_killed_mid_call_leaves_the_row_to_the_next_one(sync_workers, national_portal_fake):
    national_portal_fake.hang_seconds = 8
    national_portal_fake.answer_next("hang")
    worker = sync_workers.start(NATIONAL_PORTAL_TIMEOUT=30)
    with transaction.atomic():
        dossier = file_dossier()
    wait_until(lambda: national_portal_fake.calls_for(dossier.code), timeout=20, message="the first call")
    worker.kill()                                   # mid-call: the outcome is unknown to the portal's side
    through_to_returned(dossier)                    # the clerks go on meanwhile
    sync_workers.start(beat=True)                   # the lease (3 s) expires, the sweep hands the row over
    wait_until(lambda: all_sent([dossier]), timeout=40, message="every row sent after the kill")
    assert_applied_once_in_order(national_portal_fake, dossier)
    calls = national_portal_fake.calls_for(dossier.code)
    assert calls[0]["IdGiaoDich"] == calls[1]["IdGiaoDich"]
