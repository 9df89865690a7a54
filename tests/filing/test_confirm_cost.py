"""The confirm POST costs at most 15 queries, with or without attachments (issue 12).

A count, not a timing: the budget holds on any machine; the time is measured by the bench's
filing scenario. The list of queries is printed on failure. With two files the request costs
exactly 15: the session (read; save: BEGIN, UPDATE, COMMIT), BEGIN, the locked draft with its
agency, the draft's files, the code number (one upsert), the dossier, its files, its history
entry, its messages (one insert, rendered by the worker), the draft's update, the draft's file
rows (one delete), COMMIT; without files 13. The procedure, its documents, declaration fields,
fees and agencies come from the cache (``filing.catalogue``), stored by the confirm page's GET.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dossiers.models import Dossier
from notifications.models import NotificationStatus
from tests.factories import DeclarationFieldFactory
from tests.filing.support import (  # noqa: F401 - fixtures
    APPLICANT,
    PASSED,
    fileable_procedure,
    fresh_rate_limits,
    pdf_bytes,
    private_storage,
    upload,
)

BUDGET = 15

# Committed for real, as in production: savepoints count, the request's own transaction does not.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("private_storage", "fresh_rate_limits")]


def _request_queries(queries):
    """The request's own queries: up to the submission's COMMIT, then the session's save at the end.

    In between, the test settings run the sending tasks eagerly (``transaction.on_commit``); in
    production a worker runs them.
    """
    sqls = [query["sql"] for query in queries]
    submission_end = sqls.index("COMMIT") + 1
    session_save = len(sqls) - 3
    assert sqls[session_save] == "BEGIN" and sqls[session_save + 1].startswith('UPDATE "django_session"')
    return sqls[:submission_end] + sqls[session_save:]


def _ready_to_confirm(client, procedure, declaration):
    code = procedure.code
    client.post(reverse("filing:start", args=[code]))
    assert client.post(reverse("filing:declaration", args=[code]), {**APPLICANT, **declaration}).status_code == 302
    components = list(procedure.components.all())
    if components:
        payload = {"hanh-dong": "tiep-tuc", **{f"tp-{c.pk}": [upload("to-khai.pdf", pdf_bytes())] for c in components}}
        assert client.post(reverse("filing:documents", args=[code]), payload).status_code == 302
    page = client.get(reverse("filing:confirm", args=[code]))
    return {"submission_token": page.context["form"]["submission_token"].value(),
            "captcha_0": "abc", "captcha_1": PASSED, "consent": "on"}


@pytest.mark.parametrize("components", [0, 2])
def test_the_confirm_post_costs_at_most_fifteen_queries(client, components):
    procedure = fileable_procedure(components=components, fields=[
        {"key": "ho_ten_con", "label": "Họ, chữ đệm, tên của trẻ", "is_required": True}])
    data = _ready_to_confirm(client, procedure, {"tk-ho_ten_con": "Trần Minh Khôi"})
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("filing:confirm", args=[procedure.code]), data)
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert response["Location"].endswith(f"/da-nop/{dossier.code}/")
    assert dossier.files.count() == components
    assert dossier.declaration == {"ho_ten_con": "Trần Minh Khôi"}
    own = _request_queries(queries)
    assert len(own) <= BUDGET, "\n".join(f"{n:2} {sql[:300]}" for n, sql in enumerate(own, 1))
    # The messages were rendered by the worker (eager here, after the commit) and sent as the citizen reads them.
    rows = {row.channel: row for row in dossier.notifications.all()}
    assert set(rows) == {"sms", "email"}
    assert all(row.status == NotificationStatus.SENT for row in rows.values())
    assert dossier.code in rows["sms"].body and dossier.code in rows["email"].body
    assert APPLICANT["nd-full_name"] in rows["email"].body


def test_a_field_added_after_the_confirm_page_is_checked_at_once(client):
    """The cached catalogue is never stale: a required field added since the GET sends the citizen back."""
    procedure = fileable_procedure(components=0)
    data = _ready_to_confirm(client, procedure, {})
    DeclarationFieldFactory(procedure=procedure, key="noi_sinh", label="Nơi sinh", is_required=True)
    response = client.post(reverse("filing:confirm", args=[procedure.code]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("filing:declaration", args=[procedure.code])
    assert not Dossier.objects.exists()


def test_an_agency_that_stopped_receiving_the_procedure_is_refused(client):
    procedure = fileable_procedure(components=0)
    data = _ready_to_confirm(client, procedure, {})
    procedure.agencies.clear()
    response = client.post(reverse("filing:confirm", args=[procedure.code]), data)
    assert response["Location"] == reverse("filing:agency", args=[procedure.code])
    assert not Dossier.objects.exists()
