"""The sync log in the back office: the "sync failed" filter, the counts, and the resend action."""

import pytest

from national_portal.models import SyncMessage, SyncStatus
from tests.factories import UserFactory

from .helpers import file_dossier, through_to_returned

pytestmark = pytest.mark.django_db

URL = "/quan-tri/national_portal/syncmessage/"


@pytest.fixture
def admin_client_logged_in(client):
    admin = UserFactory(username="quantri", is_superuser=True)
    client.force_login(admin)
    return client


def test_failed_filter_counts_and_resend(admin_client_logged_in, sync_enabled, django_capture_on_commit_callbacks):
    sync_enabled.answer_next("400")
    with django_capture_on_commit_callbacks(execute=True):
        failed = file_dossier()
        through_to_returned(failed)
        fine = file_dossier()
    page = admin_client_logged_in.get(URL, {"status__exact": "failed"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Đồng bộ lỗi: 5" in text and "Đã đồng bộ: 1" in text
    assert text.count(failed.code) >= 5 and fine.code not in text
    first = SyncMessage.objects.filter(dossier=failed).order_by("id").first()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_logged_in.post(URL, {"action": "resend_failed", "_selected_action": [first.pk]},
                                               follow=True)
    assert "Đã đưa 5 bản tin vào hàng đợi gửi lại." in response.content.decode()
    assert set(SyncMessage.objects.values_list("status", flat=True)) == {SyncStatus.SENT}


def test_a_clerk_sees_only_the_sync_of_their_agencies(client, sync_enabled, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Permission

    with django_capture_on_commit_callbacks(execute=True):
        mine = file_dossier()
        other = file_dossier()
    clerk = UserFactory(username="motcua")
    clerk.user_permissions.add(Permission.objects.get(codename="view_syncmessage"))
    mine.agency.staff.add(clerk)
    client.force_login(clerk)
    text = client.get(URL).content.decode()
    assert mine.code in text and other.code not in text
