"""Dossier codes: the national format, one sequence per agency per day, safe under parallel submissions."""

import re
import threading
from datetime import date

import pytest
from django.db import connection, transaction

from dossiers.codes import format_dossier_code, next_dossier_code
from dossiers.models import Dossier
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def test_the_format_is_agency_code_date_and_four_digits():
    assert format_dossier_code("000.00.12.H26", date(2024, 11, 24), 1) == "000.00.12.H26-241124-0001"


def test_numbers_count_per_agency_per_day():
    first, second = AgencyFactory(identifier_code="000.00.12.H26"), AgencyFactory(identifier_code="000.02.13.H26")
    with transaction.atomic():
        codes = [next_dossier_code(first, day=date(2024, 11, 24)) for _ in range(3)]
        codes.append(next_dossier_code(second, day=date(2024, 11, 24)))
        codes.append(next_dossier_code(first, day=date(2024, 11, 25)))
    assert codes == ["000.00.12.H26-241124-0001", "000.00.12.H26-241124-0002", "000.00.12.H26-241124-0003",
                     "000.02.13.H26-241124-0001", "000.00.12.H26-241125-0001"]


def test_a_rolled_back_transaction_gives_its_number_back():
    agency = AgencyFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        next_dossier_code(agency, day=date(2025, 7, 1))
        raise RuntimeError("the submission failed")
    with transaction.atomic():
        assert next_dossier_code(agency, day=date(2025, 7, 1)).endswith("-250701-0001")


@pytest.mark.django_db(transaction=True)
def test_a_code_is_only_taken_inside_the_dossiers_transaction():
    with pytest.raises(RuntimeError):
        next_dossier_code(AgencyFactory())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_submissions_get_fifty_distinct_consecutive_codes(postgres):
    from dossiers.services import submit_dossier
    from tests.filing.support import fileable_procedure

    procedure = fileable_procedure(components=0)
    agency = procedure.agencies.get()
    applicant = {"full_name": "Phạm Thu Hà", "id_number": "001190000001", "phone": "+84912000001",
                 "address": "Hà Nội"}
    start = threading.Barrier(50)
    errors = []

    def one_submission(index):
        try:
            start.wait(timeout=30)
            submit_dossier(procedure=procedure, agency=agency, applicant=applicant, declaration={"i": index},
                           declaration_schema=[])
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=one_submission, args=(index,)) for index in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    codes = sorted(Dossier.objects.filter(agency=agency).values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 50
    numbers = [int(re.search(r"-(\d{4})$", code).group(1)) for code in codes]
    assert numbers == list(range(1, 51))
