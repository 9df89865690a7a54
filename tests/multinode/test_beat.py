"""Celery beat runs once however many beat processes are started (celery-redbeat's lock in Redis).

Two real ``celery beat`` processes on one Redis, the outbox sweep scheduled every second,
no worker: what reaches the broker is counted in the queue itself. With both running the
sweep is published once a second, not twice; when the lock holder is killed, the other
takes over.
"""

import json
import os
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis

from tests.fixtures.celery_worker import wait_until
from tests.fixtures.processes import ServiceProcess
from tests.fixtures.services import redis_url  # noqa: F401 - fixture

pytestmark = [pytest.mark.integration]

PROJECT_DIR = Path(__file__).resolve().parents[2]
SWEEP = "notifications.tasks.send_unsent_notifications"


class Beat(ServiceProcess):
    def __init__(self, env, log_path):
        super().__init__([sys.executable, "-m", "celery", "-A", "portal", "beat", "--loglevel=INFO"],
                         log_path=log_path, cwd=PROJECT_DIR, env=env)


@pytest.fixture
def beats(tmp_path, redis_url):  # noqa: F811
    queue, prefix = f"beat-test-{uuid.uuid4().hex[:8]}", f"redbeat-test-{uuid.uuid4().hex[:8]}:"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "CELERY_BROKER_URL": redis_url,
           "TEST_CELERY_ALWAYS_EAGER": "0", "TEST_CELERY_QUEUE": queue,
           "CELERY_BEAT_SCHEDULER": "redbeat.RedBeatScheduler", "REDBEAT_KEY_PREFIX": prefix,
           "REDBEAT_LOCK_TIMEOUT": "4", "CELERY_BEAT_MAX_LOOP_INTERVAL": "1", "NOTIFICATIONS_SWEEP_SECONDS": "1"}
    env.pop("REQUIRE_SERVICES", None)
    client = redis.Redis.from_url(redis_url)
    started = []

    def start():
        beat = Beat(env, tmp_path / f"beat-{len(started)}.log")
        started.append(beat)
        return beat

    def sweeps():
        """How many sweep messages the beats have published so far."""
        return sum(json.loads(raw)["headers"]["task"] == SWEEP for raw in client.lrange(queue, 0, -1))

    yield start, sweeps
    for beat in started:
        beat.stop()
    client.delete(queue)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


def test_a_second_beat_waits_and_takes_over_when_the_first_dies(beats):
    start, sweeps = beats
    first = start()
    wait_until(lambda: "Acquired lock" in first.output(), timeout=90, message="the first beat to hold the lock")
    second = start()
    wait_until(lambda: "beat: Starting" in second.output(), timeout=90, message="the second beat to start")

    before = sweeps()
    time.sleep(6)
    published = sweeps() - before
    # Every second, once: two beats sending would make about twelve.
    assert 3 <= published <= 8, published
    assert "Acquired lock" not in second.output()

    first.kill()
    wait_until(lambda: "Acquired lock" in second.output(), timeout=60, message="the second beat to take over")
    before = sweeps()
    time.sleep(4)
    assert 2 <= sweeps() - before <= 6
