"""Benchmark: SMS from the outbox to a Twilio-speaking server through one real Celery worker.

What is measured:

* **throughput**: N outbox rows already written, one worker (``--concurrency``, default 1
  process) sends them all through the real ``twilio`` client to the local fake Twilio
  server; messages per second from the first task published to the last row recorded
  as accepted;
* **latency**: a clerk's status change (``apply_transition(…, "receive")``, committed)
  to the SMS request arriving at the Twilio server, one change at a time on an idle
  worker; median and 99th percentile.

It builds its own PostgreSQL database from the models (like the tests do), uses Redis
database 7 as the broker, and drops the database at the end::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres CELERY_BROKER_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python bench/scenarios/notifications.py --messages 2000 --changes 200

``run(...)`` returns the numbers as a dict, for the shared bench runner.
"""

import sys
from pathlib import Path

# Run as a script, this directory comes first on sys.path, and bench/scenarios/statistics.py
# would shadow the standard library's statistics module.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from http.server import ThreadingHTTPServer  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def start_fake_twilio():
    from tests.fixtures.twilio_fake import FakeTwilio, make_handler

    fake = FakeTwilio()

    class Server(ThreadingHTTPServer):
        # The worker opens up to NOTIFICATIONS_SEND_THREADS connections at once: the default listen
        # backlog (5) would refuse some of them, and each refused send waits for its retry.
        request_queue_size = 1024

    server = Server(("127.0.0.1", 0), make_handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server


class SmtpSink:
    """The local SMTP server (aiosmtpd, tests/fixtures/smtp.py's handler) noting when each email arrived."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        from tests.fixtures.smtp import RecordingHandler, free_port

        sink = self

        class TimedHandler(RecordingHandler):
            async def handle_DATA(self, server, session, envelope):
                with self.lock:
                    sink.messages.append({"received_at": time.time(), "body": ""})
                return "250 Message accepted for delivery"

        self.messages = []
        self.port = free_port()
        self.controller = Controller(TimedHandler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def shutdown(self):
        self.controller.stop()


def configure(database_url, broker_url, fake, queue, smtp=None):
    env = {
        "DJANGO_SETTINGS_MODULE": "portal.settings", "PORTAL_LOCAL": "1", "DEBUG": "0", "LOG_LEVEL": "WARNING",
        "CELERY_BROKER_URL": broker_url, "SMS_BACKEND": "notifications.sms.TwilioBackend",
        "TWILIO_ACCOUNT_SID": fake.account_sid, "TWILIO_AUTH_TOKEN": fake.auth_token,
        "TWILIO_FROM_NUMBER": "+15005550006", "TWILIO_API_BASE_URL": fake.url,
    }
    if smtp is not None:
        env.update({"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
                    "EMAIL_PORT": str(smtp.port), "EMAIL_USE_TLS": "0", "EMAIL_USE_SSL": "0",
                    "EMAIL_HOST_USER": "", "EMAIL_HOST_PASSWORD": ""})
    os.environ.update(env)
    os.environ["DATABASE_URL"] = database_url
    import django
    from django.conf import settings

    django.setup()
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    from portal.celery import app

    app.conf.task_default_queue = queue
    return env


def start_worker(env, database_url, queue, concurrency, pool, started=lambda process: None):
    """The worker process, once it answers a ping; ``started(process)`` is called as soon as it runs."""
    args = [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", queue, "--loglevel=WARNING",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"bench-{queue}@%h",
            f"--pool={pool}", f"--concurrency={concurrency}"]
    log = open(ROOT / "var" / f"bench-notifications-{queue}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env, "DATABASE_URL": database_url},
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    started(process)
    from portal.celery import app

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if any(name.startswith(f"bench-{queue}@") for reply in app.control.ping(timeout=0.5) for name in reply):
            return process
    raise RuntimeError("the Celery worker did not start; see var/bench-notifications-*.log")


def process_cpu_seconds(pid):
    """User + system CPU of process ``pid`` and all its threads so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuFromFirstMessage:
    """CPU seconds spent from the first message's arrival on: the worker's, and the fake server's.

    The worker's is read from ``/proc`` (all its threads); the server's is this process's CPU less
    its main thread's (which makes the status changes and polls). Per message, it depends much
    less on what else the machine runs than the rate does.
    """

    def __init__(self, sink, worker_pid):
        self.sink, self.worker_pid, self.start = sink, worker_pid, None
        self.main_clock = time.pthread_getcpuclockid(threading.main_thread().ident)
        threading.Thread(target=self._wait_for_first, daemon=True).start()

    def _now(self):
        return (process_cpu_seconds(self.worker_pid),
                time.process_time() - time.clock_gettime(self.main_clock))

    def _wait_for_first(self):
        while not self.sink.messages:
            time.sleep(0.001)
        self.start = self._now()

    def since_first(self):
        worker, server = self._now()
        return worker - self.start[0], server - self.start[1]


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    raise RuntimeError("timed out")


def run(messages=2000, changes=200, concurrency=1, pool="solo", twilio_delay_ms=0, channel="sms"):
    from django.db import connection

    fake, server = start_fake_twilio()
    fake.answer_delay = twilio_delay_ms / 1000
    # Email: the same outbox rows for dossiers with an email address and no phone, sent through
    # the worker's reused SMTP connection to a local aiosmtpd server; the figures read its arrivals.
    smtp = SmtpSink() if channel == "email" else None
    sink = smtp or fake
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    broker_url = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/7")
    env = configure(base_url, broker_url, fake, queue, smtp)
    # Its own database name: two runs at once (two engineers) do not drop each other's.
    connection.settings_dict["TEST"].update(NAME=f"bench_notifications_{queue[6:]}", MIGRATE=False)
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    database_url = base_url.rsplit("/", 1)[0] + "/" + db_name
    worker = None
    try:
        from django.db import transaction

        from dossiers.services import apply_transition, record_event
        from dossiers.workflow import Event
        from notifications.models import Notification, NotificationStatus
        from tests.factories import DossierFactory, ProcedureFactory

        procedure = ProcedureFactory()
        serial = iter(range(10**9))

        def new_dossier():
            if smtp is None:
                return DossierFactory(procedure=procedure, applicant_email="")
            return DossierFactory(procedure=procedure, applicant_phone="",
                                  applicant_email=f"bench{next(serial)}@example.com")

        # Throughput: the outbox fills (tasks queue up, no worker yet), then one worker drains it.
        for _ in range(messages):
            with transaction.atomic():
                dossier = new_dossier()
                record_event(dossier, action="register", from_status="", event=Event.REGISTERED)
        # The worker may send its first batch before it answers the ping: the CPU is counted
        # from the first message on, whenever that comes.
        cpu = {}
        worker = start_worker(env, database_url, queue, concurrency, pool,
                              started=lambda process: cpu.setdefault("meter", CpuFromFirstMessage(sink, process.pid)))
        # While the worker drains that backlog, clerks keep changing statuses: each change's SMS
        # must not wait behind the queued ones.
        # (SMS only: an SMS request shows the dossier's code, an email's MIME body may not.)
        busy = [new_dossier() for _ in range(changes)] if smtp is None else []
        busy_latencies = []
        for dossier in busy:
            if len(sink.messages) >= messages * 0.8:
                break
            t0 = time.time()
            apply_transition(dossier, "receive")
            wait_for(lambda dossier=dossier: any(m["body"] and dossier.code in m["body"]
                                                 for m in fake.messages[-200:]), timeout=60)
            busy_latencies.append((time.time() - t0) * 1000)
        wait_for(lambda: len(sink.messages) >= messages + len(busy_latencies), timeout=600)
        wait_for(lambda: not Notification.objects.filter(status__in=[NotificationStatus.PENDING,
                                                                     NotificationStatus.SENDING]).exists(), 60)
        worker_cpu, server_cpu = cpu["meter"].since_first()
        assert len(sink.messages) == messages + len(busy_latencies), "a message was sent twice"
        first, last = sink.messages[0]["received_at"], sink.messages[-1]["received_at"]
        throughput = (len(sink.messages) - 1) / (last - first)

        # Latency: one committed status change at a time, to the SMS request at Twilio.
        dossiers = [new_dossier() for _ in range(changes)]
        latencies = []
        for dossier in dossiers:
            before = len(sink.messages)
            t0 = time.time()
            apply_transition(dossier, "receive")
            wait_for(lambda before=before: len(sink.messages) > before, timeout=30)
            latencies.append((sink.messages[-1]["received_at"] - t0) * 1000)
        return {
            "channel": channel, "messages": messages, "pool": pool, "concurrency": concurrency, "twilio_delay_ms": twilio_delay_ms,
            "throughput_msgs_per_s": round(throughput, 1),
            "worker_cpu_ms_per_message": round(worker_cpu * 1000 / (len(sink.messages) - 1), 2),
            "server_cpu_ms_per_message": round(server_cpu * 1000 / (len(sink.messages) - 1), 2),
            "latency_ms_median": round(statistics.median(latencies), 1),
            "latency_ms_p99": round(percentile(latencies, 0.99), 1),
            "changes_during_backlog": len(busy_latencies),
            "backlog_latency_ms_median": round(statistics.median(busy_latencies), 1) if busy_latencies else None,
            "backlog_latency_ms_p99": round(percentile(busy_latencies, 0.99), 1) if busy_latencies else None,
        }
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(30)
        server.shutdown()
        if smtp is not None:
            smtp.shutdown()
        connection.creation.destroy_test_db(db_name, verbosity=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=1, help="processes (or Celery threads) of the one worker")
    parser.add_argument("--pool", default="solo", choices=["solo", "prefork", "threads"])
    parser.add_argument("--twilio-delay-ms", type=int, default=0,
                        help="how long the fake Twilio takes to answer each message (150: a real round trip)")
    parser.add_argument("--channel", default="sms", choices=["sms", "email"],
                        help="email: the same through the worker's SMTP connection to a local aiosmtpd server")
    result = run(**vars(parser.parse_args()))
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
