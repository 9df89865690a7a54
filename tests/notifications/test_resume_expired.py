"""A resume link whose draft expired before it could be sent (a retry, say) is not sent at all."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dossiers.models import FilingDraft
from notifications import sending
from notifications.models import Notification, NotificationStatus
from notifications.sms import InMemoryBackend
from tests.filing.support import (  # noqa: F401
    APPLICANT,
    fileable_procedure,
    fresh_rate_limits,
    private_storage,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage", "fresh_rate_limits")]


def test_an_expired_drafts_resume_link_fails_for_good_unsent():
    procedure = fileable_procedure(components=0)
    client = Client()
    client.post(reverse("filing:start", args=[procedure.code]))
    response = client.post(reverse("filing:declaration", args=[procedure.code]),
                           {**APPLICANT, "hanh-dong": "luu-tiep-tuc-sau"})
    assert response.status_code == 302
    rows = list(Notification.objects.filter(draft__isnull=False))  # written; this test's commit never sends them
    assert {row.status for row in rows} == {NotificationStatus.PENDING} and len(rows) == 2
    FilingDraft.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    outcomes = sending.send_batch(rows[0].pk, limit=10)

    assert {outcome.outcome for outcome in outcomes.values()} == {sending.FAILED}
    assert InMemoryBackend.outbox == [] and mail.outbox == []
    for row in rows:
        row.refresh_from_db()
        assert row.status == NotificationStatus.FAILED and "hết hạn" in row.last_error
