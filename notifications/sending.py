"""Sending outbox rows: claim, send, record. Called by the Celery tasks in ``notifications.tasks``.

The guarantees:

* **Never twice.** A row is sent only by the worker that claimed it with one atomic
  ``UPDATE … WHERE status = 'pending'`` (or whose lease on a ``sending`` row has expired).
  Before a row's second attempt, when the first one's outcome is unknown (the worker died
  mid-request, the response timed out), the SMS backend is asked whether the provider
  already has the message; if so the row is marked sent without sending again.
* **Never lost.** The row stays in the table until a provider took it or refused it for
  good; temporary failures are retried with exponential backoff up to
  ``NOTIFICATIONS_MAX_ATTEMPTS``, and ``sweep_unsent`` re-queues whatever a broker outage
  or a dead worker left behind.
"""

import logging
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import mail, sms
from .exceptions import PermanentSendError, TemporarySendError
from .models import STATUS_RANK, Channel, Notification, NotificationStatus
from .rendering import render_row, row_template_key, template_sources

logger = logging.getLogger(__name__)

SENT = "sent"
RETRY = "retry"
FAILED = "failed"
SKIPPED = "skipped"


@dataclass(frozen=True)
class Attempt:
    outcome: str
    retry_in: float | None = None


def retry_delay(attempts):
    """Seconds before attempt ``attempts + 1``: base × 2^(attempts − 1), capped."""
    base = float(settings.NOTIFICATIONS_RETRY_BASE_SECONDS)
    return min(float(settings.NOTIFICATIONS_RETRY_MAX_SECONDS), base * 2 ** max(attempts - 1, 0))


def _claimable(now):
    due = Q(status=NotificationStatus.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + timedelta(seconds=1)))
    abandoned = Q(status=NotificationStatus.SENDING, lease_expires_at__lt=now)
    return due | abandoned


def claim(notification_id, *, now=None):
    """Take the row for this worker under a lease, or return None when it is not ours to send."""
    now = now or timezone.now()
    lease = now + timedelta(seconds=float(settings.NOTIFICATIONS_LEASE_SECONDS))
    claimed = Notification.objects.filter(_claimable(now), pk=notification_id).update(
        status=NotificationStatus.SENDING, lease_expires_at=lease, attempts=F("attempts") + 1, updated_at=now)
    if not claimed:
        return None
    return Notification.objects.select_related("dossier").get(pk=notification_id)


# Rows written this recently are claimed before any backlog (a broker outage's, a bulk
# event's): a citizen's fresh message never waits behind thousands of older ones. Each lane
# is sent oldest first, so one dossier's messages keep their order.
FRESH_SECONDS = 5

# One statement claims the asked row (when it is due) and the other due rows that no other
# worker is claiming at this moment (SKIP LOCKED; fresh ones first, then the oldest), and
# starts their SMS attempts: an SMS keeps the start of an earlier attempt whose outcome is
# unknown, so the check before sending covers it. RETURNING gives each row's earlier attempt.
CLAIM_BATCH_SQL = """
WITH picked AS (
    SELECT id, attempt_started_at AS earlier_attempt FROM notifications_notification
    WHERE (status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= %(due)s))
       OR (status = 'sending' AND lease_expires_at < %(now)s)
    ORDER BY (id = %(asked)s) DESC, (created_at > %(fresh)s) DESC, created_at, id
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
UPDATE notifications_notification AS row
SET status = 'sending', lease_expires_at = %(lease)s, attempts = row.attempts + 1, updated_at = %(now)s,
    attempt_started_at = CASE WHEN row.channel = 'sms' THEN COALESCE(row.attempt_started_at, %(now)s)
                              ELSE row.attempt_started_at END
FROM picked WHERE row.id = picked.id
RETURNING row.id, picked.earlier_attempt
"""


def claim_batch(notification_id, *, limit, now=None):
    """Claim the asked row (if due) and up to ``limit`` − 1 other due rows under one lease.

    Returns the claimed rows with their dossiers; each carries ``earlier_attempt``: when an
    earlier attempt of it began whose outcome is unknown (None when there was none). With
    ``limit`` 1 (eager tasks, direct calls), or on a database without ``SKIP LOCKED`` (SQLite,
    local use), only the asked row is claimed, and nothing when it is not due.
    """
    now = now or timezone.now()
    lease = now + timedelta(seconds=float(settings.NOTIFICATIONS_LEASE_SECONDS))
    if connection.vendor == "postgresql" and limit > 1:
        with connection.cursor() as cursor:
            cursor.execute(CLAIM_BATCH_SQL, {"due": now + timedelta(seconds=1), "now": now, "asked": notification_id,
                                             "fresh": now - timedelta(seconds=FRESH_SECONDS),
                                             "limit": int(limit), "lease": lease})
            earlier = dict(cursor.fetchall())
        if not earlier:
            return []
        rows = list(Notification.objects.select_related("dossier").filter(pk__in=earlier).order_by("created_at", "id"))
    else:
        row = claim(notification_id, now=now)
        if row is None:
            return []
        earlier = {row.pk: row.attempt_started_at}
        if row.channel == Channel.SMS and row.attempt_started_at is None:
            Notification.objects.filter(pk=row.pk).update(attempt_started_at=now)
            row.attempt_started_at = now
        rows = [row]
    for row in rows:
        row.earlier_attempt = earlier[row.pk]
    return rows


def _ensure_rendered(notification, templates=None):
    """Render a row written without its text (``render_row``); True when it was rendered now.

    The text is stored (``_store_rendered``) before the row is sent, so a later attempt, and
    the check whether the provider already has the message, use the very words sent.
    """
    if notification.body:
        return False
    rendered = render_row(notification, templates)
    notification.subject, notification.body = rendered.subject, rendered.body
    notification.body_html, notification.segments = rendered.html, rendered.segments
    return True


def _store_rendered(rows):
    """Store the texts of a batch's rows in one statement, whatever its size.

    On PostgreSQL an ``UPDATE … FROM (VALUES …)``: Django's ``bulk_update`` writes the same as a
    ``CASE`` per column with a ``WHEN`` per row, whose expressions cost the worker about two
    milliseconds of Python a message.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        Notification.objects.bulk_update(rows, ["subject", "body", "body_html", "segments"], batch_size=len(rows))
        return
    table = connection.ops.quote_name(Notification._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    params = [value for row in rows for value in (row.pk, row.subject, row.body, row.body_html, row.segments)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS row SET subject = text.subject, body = text.body, body_html = text.body_html, "
            f"segments = CAST(text.segments AS smallint) FROM (VALUES {values}) AS text (id, subject, body, body_html, segments) "
            "WHERE row.id = text.id", params)


def _held(notification):
    """The row, as long as this worker's lease on it is the current one."""
    return Notification.objects.filter(pk=notification.pk, status=NotificationStatus.SENDING,
                                       lease_expires_at=notification.lease_expires_at)


def _until_recorded(notification, write):
    """Run ``write`` (one UPDATE, autocommit) until it reaches the database, within the row's lease.

    What the provider answered is known only to this process until it is written down; a
    lost database connection (a restarted server, ``pg_terminate_backend``, a failover) must
    not turn a known outcome into an unknown one, which for email means a second copy. So
    reconnect and try again with a short backoff for as long as the lease keeps the row ours,
    and only then give up (the row is then reclaimed after its lease, as after a dead worker).
    """
    delay = 0.05
    while True:
        try:
            return write()
        except (OperationalError, InterfaceError) as error:
            if connection.in_atomic_block:
                raise
            remaining = (notification.lease_expires_at - timezone.now()).total_seconds()
            if remaining < delay + 1:
                logger.error("notification %s: could not record the outcome before its lease ended: %s",
                             notification.pk, error)
                raise
            logger.warning("notification %s: database unavailable while recording (%s); retrying in %.2fs",
                           notification.pk, error, delay)
            connection.close()
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


def _record_sent(notification, result, now):
    _record_all_sent([(notification, result)], now)


def _record_all_sent(sent, now):
    """Record rows the providers accepted, ``[(row, SendResult)]``, in one commit.

    One commit for all of them: each commit waits for PostgreSQL's WAL flush, and the time a
    known outcome spends unrecorded is the time these writes take.
    """
    done = {"lease_expires_at": None, "attempt_started_at": None, "last_error": "", "next_attempt_at": None}

    def write():
        with transaction.atomic():
            if connection.vendor == "postgresql":
                recorded = _record_held_in_one_statement(sent, now)
            else:
                recorded = {notification.pk for notification, result in sent
                            if _held(notification).update(status=result.status, provider_id=result.provider_id,
                                                          sent_at=now, updated_at=now, **done)}
            for notification, result in sent:
                if notification.pk not in recorded:
                    # A delivery receipt got here first and moved the row on (or an earlier try
                    # of this write committed before its connection dropped); keep its status.
                    Notification.objects.filter(pk=notification.pk).update(
                        provider_id=result.provider_id, sent_at=now, updated_at=now, **done)

    _until_recorded(sent[0][0], write)


def _record_held_in_one_statement(sent, now):
    """The accepted rows still held under their lease, recorded in one ``UPDATE … FROM (VALUES …)``; their ids."""
    values = ", ".join(["(%s, %s, %s, %s)"] * len(sent))
    params = [now, now]
    for notification, result in sent:
        params += [notification.pk, result.status, result.provider_id, notification.lease_expires_at]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE notifications_notification AS row SET status = v.status, provider_id = v.provider_id, "
            "sent_at = %s, updated_at = %s, lease_expires_at = NULL, attempt_started_at = NULL, last_error = '', "
            f"next_attempt_at = NULL FROM (VALUES {values}) AS v(id, status, provider_id, lease) "
            "WHERE row.id = v.id AND row.status = 'sending' AND row.lease_expires_at = v.lease::timestamptz "
            "RETURNING row.id", params)
        return {pk for (pk,) in cursor.fetchall()}


def send_notification(notification_id, *, now=None):
    """Claim and send one outbox row; return what happened to it (``Attempt``).

    Safe to call any number of times, concurrently, for the same row: only the claimant
    sends, and a row already sent is skipped.
    """
    return send_batch(notification_id, limit=1, now=now)[notification_id]


def send_batch(notification_id, *, limit=None, now=None):
    """Claim the asked row and up to ``limit`` − 1 other due rows, send them concurrently, record each.

    ``limit`` defaults to ``NOTIFICATIONS_BATCH_SIZE``. The sends run on a pool of
    ``NOTIFICATIONS_SEND_THREADS`` threads (one provider connection each); the outcomes are
    recorded by this thread as the sends finish (those accepted meanwhile in one commit),
    through lost database connections if need be. Returns ``{row id: Attempt}``, the asked row included
    (``SKIPPED`` when it was not this worker's to send).
    """
    limit = int(settings.NOTIFICATIONS_BATCH_SIZE) if limit is None else limit
    outcomes = {notification_id: Attempt(SKIPPED)}
    rows = claim_batch(notification_id, limit=limit, now=now)
    ready, rendered = [], []
    templates = template_sources(row_template_key(row) for row in rows if not row.body and not row.draft_id)
    for row in rows:
        if row.draft_id and row.draft.expires_at <= timezone.now():
            # A retry after the draft expired (the hourly clean-up has not deleted it yet): the
            # link would open the "expired" page, so the message is not sent at all.
            outcomes[row.pk] = _record(row, None, PermanentSendError("Bản khai đã hết hạn trước khi gửi được "
                                                                     "đường dẫn tiếp tục khai."))
            continue
        try:
            if _ensure_rendered(row, templates):
                rendered.append(row)
        except DatabaseError:
            raise  # before any send: the rows go back to the sweep with their lease
        except Exception as error:  # noqa: BLE001 - a template that cannot render: retry, capped
            logger.exception("could not render notification %s", row.pk)
            outcomes[row.pk] = _retry_later(row, error)
            continue
        ready.append(row)
    _store_rendered(rendered)  # before any send (a DatabaseError: as above)
    if len(ready) == 1:
        outcomes[ready[0].pk] = _record(ready[0], *_deliver(ready[0]))
        return outcomes
    pending = {_send_pool().submit(_deliver, row): row for row in ready}
    while pending:
        # Whatever has finished by now is recorded together, the accepted ones in one commit.
        finished, _ = wait(pending, return_when=FIRST_COMPLETED)
        accepted = []
        for future in finished:
            row = pending.pop(future)
            result, error = future.result()
            if error is None:
                accepted.append((row, result))
            else:
                outcomes[row.pk] = _record(row, result, error)
        if accepted:
            _record_all_sent(accepted, timezone.now())
            outcomes.update((row.pk, Attempt(SENT)) for row, _result in accepted)
    return outcomes


_pool = None
_pool_lock = threading.Lock()


def _send_pool():
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=int(settings.NOTIFICATIONS_SEND_THREADS),
                                       thread_name_prefix="notification-send")
        return _pool


def _deliver(notification):
    """Hand one claimed row to its provider (no database access: it may run on a pool thread)."""
    try:
        if notification.channel == Channel.SMS:
            return _send_sms(notification), None
        return mail.send_email(notification), None
    except Exception as error:  # noqa: BLE001 - recorded by _record
        return None, error


def _record(notification, result, error):
    if error is None:
        _record_sent(notification, result, timezone.now())
        return Attempt(SENT)
    if isinstance(error, PermanentSendError):
        reason = str(error)[:2000]
        _until_recorded(notification, lambda: _held(notification).update(
            status=NotificationStatus.FAILED, last_error=reason, lease_expires_at=None,
            attempt_started_at=None, updated_at=timezone.now()))
        logger.warning("notification %s failed for good: %s", notification.pk, error)
        return Attempt(FAILED)
    if not isinstance(error, TemporarySendError):
        logger.error("unexpected error sending notification %s", notification.pk, exc_info=error)
    return _retry_later(notification, error)


def _send_sms(notification):
    backend = sms.get_backend()
    if notification.earlier_attempt is not None:
        # An earlier attempt began and never reported back: did the provider take it?
        found = backend.find_sent(to=notification.recipient, body=notification.body,
                                  since=notification.earlier_attempt)
        if found is not None:
            logger.info("notification %s was already accepted as %s; not sending again",
                        notification.pk, found.provider_id)
            return found
    return backend.send(notification_id=notification.pk, to=notification.recipient, body=notification.body)


def _retry_later(notification, error):
    now = timezone.now()
    reason = f"{type(error).__name__}: {error}"[:2000]
    # An answer (HTTP 5xx/429, SMTP 4xx) means the provider does not have the message; a
    # connection dropped mid-request leaves that unknown, for the next attempt to ask about.
    unknown = {} if getattr(error, "outcome_unknown", True) else {"attempt_started_at": None}
    if notification.attempts >= int(settings.NOTIFICATIONS_MAX_ATTEMPTS):
        _until_recorded(notification, lambda: _held(notification).update(
            status=NotificationStatus.FAILED, lease_expires_at=None, updated_at=now,
            last_error=f"Đã thử {notification.attempts} lần. {reason}"[:2000], **unknown))
        logger.warning("notification %s failed after %s attempts: %s", notification.pk, notification.attempts,
                       reason)
        return Attempt(FAILED)
    delay = retry_delay(notification.attempts)
    _until_recorded(notification, lambda: _held(notification).update(
        status=NotificationStatus.PENDING, lease_expires_at=None, last_error=reason,
        next_attempt_at=now + timedelta(seconds=delay), updated_at=now, **unknown))
    logger.info("notification %s: temporary failure (%s); retry in %.1fs", notification.pk, reason, delay)
    return Attempt(RETRY, retry_in=delay)


def unsent_ids(*, now=None, limit=500):
    """Rows the normal path should have sent by now: never queued, a lost retry, an abandoned lease."""
    now = now or timezone.now()
    overdue = now - timedelta(seconds=float(settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS))
    never_tried = Q(status=NotificationStatus.PENDING, next_attempt_at__isnull=True, created_at__lte=overdue)
    retry_lost = Q(status=NotificationStatus.PENDING, next_attempt_at__lte=overdue)
    abandoned = Q(status=NotificationStatus.SENDING, lease_expires_at__lt=now)
    return list(Notification.objects.filter(never_tried | retry_lost | abandoned)
                .order_by("created_at", "id").values_list("pk", flat=True)[:limit])


def give_up_on_stuck(*, now=None):
    """Turn rows still unsent ``NOTIFICATIONS_GIVE_UP_HOURS`` after they were written into technical failures.

    Pending (never sent, or retried over and over) and abandoned ``sending`` rows qualify; a
    row a worker is sending right now (its lease still running) is left to that worker. The
    row keeps ``attempt_started_at``, so an operator's resend first asks the SMS provider
    whether an interrupted attempt got through. Returns how many rows were given up.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(hours=float(settings.NOTIFICATIONS_GIVE_UP_HOURS))
    stuck = Q(status=NotificationStatus.PENDING) | Q(status=NotificationStatus.SENDING, lease_expires_at__lt=now)
    given_up = Notification.objects.filter(stuck, created_at__lt=cutoff).update(
        status=NotificationStatus.TECHNICAL_FAILURE, lease_expires_at=None, next_attempt_at=None, updated_at=now,
        last_error=f"Không gửi được trong {settings.NOTIFICATIONS_GIVE_UP_HOURS:g} giờ; đã ngừng thử.")
    if given_up:
        logger.warning("%s notifications still unsent after %s hours: marked as technical failures", given_up,
                       settings.NOTIFICATIONS_GIVE_UP_HOURS)
    return given_up


def record_delivery_status(notification_id, *, provider_id, provider_status, error_code="", error_message=""):
    """Record a delivery receipt; a receipt never moves a row backwards. Returns the row or None."""
    status = PROVIDER_STATUS.get((provider_status or "").lower())
    if status is None:
        return None
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or (notification.provider_id and provider_id
                                    and notification.provider_id != provider_id):
            return None
        now = timezone.now()
        if not notification.provider_id:
            notification.provider_id = provider_id or ""
        if STATUS_RANK[status] > STATUS_RANK[notification.status]:
            notification.status = status
            notification.lease_expires_at = None
            if status == NotificationStatus.DELIVERED:
                notification.delivered_at = now
            if notification.sent_at is None:
                notification.sent_at = now
        if error_code or error_message:
            notification.last_error = f"Nhà mạng báo lỗi {error_code}: {error_message}".strip()[:2000]
        notification.save(update_fields=["status", "provider_id", "sent_at", "delivered_at", "last_error",
                                         "lease_expires_at", "updated_at"])
    return notification


PROVIDER_STATUS = {
    "accepted": NotificationStatus.QUEUED,
    "scheduled": NotificationStatus.QUEUED,
    "queued": NotificationStatus.QUEUED,
    "sending": NotificationStatus.SENT,
    "sent": NotificationStatus.SENT,
    "delivered": NotificationStatus.DELIVERED,
    "read": NotificationStatus.DELIVERED,
    "undelivered": NotificationStatus.UNDELIVERED,
    "failed": NotificationStatus.FAILED,
}
