"""What a lookup costs: one statement for the dossier with its procedure, agency, rating and history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dossiers import services
from dossiers.models import Rating
from tests.tracking.helpers import (
    PHONE_LAST4,
    clerk_of,
    filed_dossier,
    lookup_post,
    page_text,
    received,
    returned,
)
from tracking.lookup import find_dossier, public_timeline, public_view

pytestmark = pytest.mark.django_db

CODE = "000.00.12.H26-250704-0051"


def _lookup_queries(client, **extra):
    lookup_post(client, CODE, **extra)  # the statement is compiled by a first lookup
    with CaptureQueriesContext(connection) as queries:
        response = lookup_post(client, CODE, **extra)
    assert CODE in page_text(response)
    return [query["sql"] for query in queries.captured_queries]


def test_a_lookup_is_one_statement_whatever_the_history(client):
    dossier = filed_dossier(code=CODE)
    assert len(_lookup_queries(client)) == 1
    returned(dossier, clerk_of(dossier.agency))
    statements = _lookup_queries(client, phone_last4=PHONE_LAST4)
    assert len(statements) == 1
    # The history's public parts only: the clerks' notes are not even read.
    assert "internal_note" not in statements[0] and "actor_id" not in statements[0]


def test_a_dossier_waiting_for_a_supplement_reads_its_open_request_too(client):
    dossier = filed_dossier(code=CODE)
    services.request_supplement(dossier=dossier, actor=clerk_of(dossier.agency), reason="Thiếu tờ khai.",
                                missing_items="Tờ khai")
    assert len(_lookup_queries(client)) == 2


def test_the_one_statement_gives_what_the_orm_gives(client):
    dossier = filed_dossier(code=CODE, applicant_name="Nguyễn Văn An")
    clerk = clerk_of(dossier.agency)
    dossier = returned(dossier, clerk)
    Rating.objects.create(dossier=dossier, score=5)
    found = find_dossier(CODE)
    assert found.pk == dossier.pk and found.code == CODE
    assert (found.procedure.name, found.agency.name) == (dossier.procedure.name, dossier.agency.name)
    assert (found.submitted_at, found.received_at, found.returned_at, found.appointment_date) == (
        dossier.submitted_at, dossier.received_at, dossier.returned_at, dossier.appointment_date)
    assert found.submitted_at.tzinfo is not None
    # The timeline read with the dossier is the one read on its own, step for step.
    dossier.refresh_from_db()
    assert public_timeline(found) == public_timeline(dossier)
    assert len(public_timeline(found)) == 5
    verified = public_view(found, verified=True)
    assert verified.rated and not verified.can_rate
    assert find_dossier("000.00.12.H26-250704-9999") is None


def test_a_dossier_without_history_still_shows(client):
    from tests.factories import DossierFactory

    DossierFactory(code=CODE)
    found = find_dossier(CODE)
    assert found is not None and public_timeline(found) == []
    assert "Chưa có bước xử lý nào." in page_text(lookup_post(client, CODE))


def test_the_found_dossiers_history_is_its_own(client):
    first = filed_dossier(code=CODE)
    other = filed_dossier(code="000.00.12.H26-250704-0052")
    received(other, clerk_of(other.agency))
    assert len(public_timeline(find_dossier(CODE))) == 1
    assert len(public_timeline(find_dossier(other.code))) == 2
    assert find_dossier(CODE).pk == first.pk
