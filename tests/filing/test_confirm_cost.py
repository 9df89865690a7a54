"""The confirm POST costs at most 15 queries, with or without attachments (issue 12), and one task.

A count, not a timing: the budget holds on any machine; the time is measured by the bench's
filing scenario. The list of queries is printed on failure. With two files the request costs
12: the session (read), BEGIN, the locked draft with its agency, the draft's files, the code
number (one upsert), the dossier, its files, its history entry, its messages (one insert,
rendered by the worker), the draft's update, the draft's file rows (one delete), COMMIT;
without documents to attach 9 (no files to read, write or delete). The session is not written:
the draft's token it holds shows the success page. The procedure, its documents, declaration
fields, fees and agencies come from the cache (``filing.catalogue``), stored by the confirm
page's GET. The messages of the filing are published as one task, once the transaction commits.
"""

import pytest
from celery import signals
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


class TasksRun(list):
    """The Celery tasks run (eagerly here, after the commit) while a test runs: (name, args), and
    which of the captured queries were theirs: in production a worker runs them."""

    def __init__(self):
        super().__init__()
        self.spans = []

    def reset(self):
        self.clear()
        self.spans.clear()

    def started(self, task=None, args=None, **kwargs):
        self.append((task.name, list(args)))
        self.spans.append([len(connection.queries_log), None])

    def finished(self, **kwargs):
        self.spans[-1][1] = len(connection.queries_log)

    def request_queries(self, queries):
        """The SQL of ``queries`` (a ``CaptureQueriesContext``) without the tasks' statements."""
        theirs = {index - queries.initial_queries for start, end in self.spans for index in range(start, end)}
        return [query["sql"] for index, query in enumerate(queries.captured_queries) if index not in theirs]


@pytest.fixture
def tasks_run():
    tasks = TasksRun()
    signals.task_prerun.connect(tasks.started, weak=False)
    signals.task_postrun.connect(tasks.finished, weak=False)
    yield tasks
    signals.task_prerun.disconnect(tasks.started)
    signals.task_postrun.disconnect(tasks.finished)


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


@pytest.mark.parametrize("components, expected", [(0, 9), (2, 12)])
def test_the_confirm_post_costs_at_most_fifteen_queries(client, tasks_run, components, expected):
    procedure = fileable_procedure(components=components, fields=[
        {"key": "ho_ten_con", "label": "Họ, chữ đệm, tên của trẻ", "is_required": True}])
    data = _ready_to_confirm(client, procedure, {"tk-ho_ten_con": "Trần Minh Khôi"})
    tasks_run.reset()
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("filing:confirm", args=[procedure.code]), data)
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert response["Location"].endswith(f"/da-nop/{dossier.code}/")
    assert dossier.files.count() == components
    assert dossier.declaration == {"ho_ten_con": "Trần Minh Khôi"}
    own = tasks_run.request_queries(queries)
    listing = "\n".join(f"{n:2} {sql[:300]}" for n, sql in enumerate(own, 1))
    assert len(own) <= BUDGET, listing
    assert len(own) == expected, listing
    assert not any("django_session" in sql and not sql.startswith("SELECT") for sql in own), listing
    # The messages were rendered by the worker (eager here, after the commit) and sent as the citizen reads them.
    rows = {row.channel: row for row in dossier.notifications.all()}
    assert set(rows) == {"sms", "email"}
    assert all(row.status == NotificationStatus.SENT for row in rows.values())
    assert dossier.code in rows["sms"].body and dossier.code in rows["email"].body
    assert APPLICANT["nd-full_name"] in rows["email"].body
    # One task for both messages: one publish to the broker per filing.
    assert tasks_run == [("notifications.tasks.send_notifications", [[rows["sms"].pk, rows["email"].pk]])]
    # The success page is this browser's, from the draft's token in its session (test_pages.py: nobody else's).
    page = client.get(response["Location"])
    assert page.status_code == 200 and dossier.code in page.content.decode()


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


def test_an_agency_closed_after_the_confirm_page_is_refused(client):
    """The agency comes with the cached procedure: closing it changes the catalogue, and the POST sees it."""
    procedure = fileable_procedure(components=0)
    data = _ready_to_confirm(client, procedure, {})
    agency = procedure.agencies.get()
    agency.is_active = False
    agency.save()
    response = client.post(reverse("filing:confirm", args=[procedure.code]), data)
    assert response["Location"] == reverse("filing:agency", args=[procedure.code])
    assert not Dossier.objects.exists()


def test_a_renamed_agency_is_in_the_code_and_the_messages_at_once(client):
    procedure = fileable_procedure(components=0)
    data = _ready_to_confirm(client, procedure, {})
    agency = procedure.agencies.get()
    agency.name, agency.identifier_code = "UBND phường Đổi Tên", "999.99.12.H26"
    agency.save()
    assert client.post(reverse("filing:confirm", args=[procedure.code]), data).status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.code.startswith("999.99.12.H26-")
    assert "UBND phường Đổi Tên" in dossier.notifications.get(channel="email").body
