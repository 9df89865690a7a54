"""Issue 13: the messages of a dead worker go out within a minute, each once, measured with production timings.

A worker claims a batch of SMS and email rows and is SIGKILLed while the providers have them:
the fake Twilio accepted every SMS but holds its answer back, the SMTP server holds every
email before accepting its recipient. A second worker, with its beat running the outbox
sweep on the production schedule, sends them once the first one's lease is over. Measured:

    DATABASE_URL=postgres://… CELERY_BROKER_URL=redis://… REQUIRE_SERVICES=1 \\
        .venv/bin/python -m pytest -s tests/notifications/test_dead_worker.py

(the figure is in the README, "Notifications").
"""

import time

import pytest
from django.conf import settings
from django.utils import timezone

from notifications.models import Notification, NotificationStatus
from tests.fixtures.celery_worker import wait_until
from tests.notifications.test_faults import all_done, assert_each_row_reached_its_fake_once, file_dossier

pytestmark = pytest.mark.integration

# The outbox's timings as production has them (portal/settings.py): removed from the workers'
# environment, which the fixture otherwise sets for quick tests.
PRODUCTION_TIMINGS = dict.fromkeys((
    "NOTIFICATIONS_LEASE_SECONDS", "NOTIFICATIONS_SWEEP_SECONDS", "NOTIFICATIONS_SWEEP_GRACE_SECONDS",
    "NOTIFICATIONS_BATCH_SIZE", "NOTIFICATIONS_SEND_THREADS", "CELERY_BEAT_MAX_LOOP_INTERVAL", "TWILIO_TIMEOUT"))


def test_a_killed_workers_batch_goes_out_once_within_a_minute(outbox):
    count = 4
    # Queued before any worker runs: the first worker's first task claims all the rows in one batch.
    dossiers = [file_dossier() for _ in range(count)]
    outbox.twilio.hold(seconds=300, times=count)     # accepted, the answer never comes back
    outbox.smtp.hold_next(seconds=300, times=count)  # not accepted yet: RCPT is left waiting
    first = outbox.start_worker(**PRODUCTION_TIMINGS)
    wait_until(lambda: len(outbox.twilio.messages) == count and outbox.smtp.held == count, timeout=30,
               message="every SMS and every email of the batch at its provider")
    rows = Notification.objects.filter(dossier__in=dossiers)
    assert set(rows.values_list("status", flat=True)) == {NotificationStatus.SENDING}
    assert rows.count() == 2 * count

    first.kill()
    killed, killed_at = time.monotonic(), timezone.now()
    lease_left = (max(rows.values_list("lease_expires_at", flat=True)) - killed_at).total_seconds()

    second = outbox.start_worker(beat=True, **PRODUCTION_TIMINGS)
    # The queued tasks of the other rows reach the new worker at once; the lease keeps them from
    # being sent while the first worker might still be sending them.
    wait_until(lambda: second.output().count(": 'skipped'") >= count, timeout=30,
               message="the batch's other tasks to be skipped")
    assert set(rows.values_list("status", flat=True)) == {NotificationStatus.SENDING}
    assert outbox.smtp.messages == []

    wait_until(lambda: all_done(dossiers), timeout=120, interval=0.02, message="every row recorded as sent")
    elapsed = time.monotonic() - killed
    print(f"\nkill → every row of the dead worker's batch sent and recorded: {elapsed:.1f} s "
          f"(lease left at the kill {lease_left:.1f} s, lease {settings.NOTIFICATIONS_LEASE_SECONDS:g} s, "
          f"sweep every {settings.CELERY_BEAT_SCHEDULE['send-unsent-notifications']['schedule']} s)")

    time.sleep(3)  # a stray second copy would have arrived by now
    # The SMS went out once, in the dead worker's attempt: the second one asked Twilio and found
    # each; every email once, with its row's Message-ID.
    assert_each_row_reached_its_fake_once(outbox, dossiers)
    assert [code for _, _, code, _ in outbox.twilio.requests] == [201] * count
    assert set(rows.values_list("attempts", flat=True)) == {2}
    assert elapsed < 60, f"the dead worker's messages took {elapsed:.1f} s"
