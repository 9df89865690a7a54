"""A batch of outbox rows costs the worker the same statements whatever its size (issue 12).

The rows are written by status changes, without their texts: the worker renders them, reading
the message templates once for the batch and storing the texts in one statement.
"""

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from dossiers.services import record_event
from dossiers.workflow import Event
from notifications import sending
from notifications.models import MessageTemplate, Notification, NotificationStatus
from notifications.sms import InMemoryBackend
from tests.factories import DossierFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _registered(count):
    first = None
    for _ in range(count):
        dossier = DossierFactory()
        with transaction.atomic():  # on_commit does not run here: the rows wait, unrendered
            record_event(dossier, action="submit", from_status="", event=Event.REGISTERED)
        first = first or Notification.objects.filter(dossier=dossier).order_by("pk").first()
    return first


def _statements_of_a_batch(count):
    Notification.objects.all().delete()
    InMemoryBackend.outbox.clear()
    asked = _registered(count)
    assert not asked.body  # rendered by the worker
    with CaptureQueriesContext(connection) as queries:
        outcomes = sending.send_batch(asked.pk, limit=2 * count)
    assert [attempt.outcome for attempt in outcomes.values()] == [sending.SENT] * (2 * count)
    return [query["sql"] for query in queries.captured_queries]


def _not_recordings(statements):
    return [sql for sql in statements
            if not sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")) and "SET status = v.status" not in sql]


def test_the_statements_do_not_grow_with_the_batch(postgres):
    MessageTemplate.objects.create(event=Event.REGISTERED, channel="sms", language="vi",
                                   body="Hồ sơ {{ code }} đã được đăng ký (mẫu của quản trị).")
    small, large = _statements_of_a_batch(2), _statements_of_a_batch(8)
    assert sum("messagetemplate" in sql for sql in large) == 1
    assert sum(sql.startswith("UPDATE") and "body_html" in sql for sql in large) == 1
    # The rest is the claim, the rows' read and the recordings; how many recordings (one per wave
    # of sends that finished together) follows the sends' timing, so only the others must match.
    assert len(_not_recordings(large)) == len(_not_recordings(small))
    sent = Notification.objects.filter(channel="sms", status=NotificationStatus.SENT)
    assert sent.count() == 8
    signature = "(mau cua quan tri)." if settings.SMS_STRIP_DIACRITICS else "(mẫu của quản trị)."
    assert all(row.body.endswith(signature) for row in sent), sent[0].body
    assert sorted(message["body"] for message in InMemoryBackend.outbox) == sorted(row.body for row in sent)
