"""procedures.compiled.CompiledQuery: the ORM's statement, compiled once, run with each value."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext

from procedures.compiled import CompiledQuery
from procedures.models import Procedure
from tests.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


def test_each_value_gets_its_rows_and_the_other_parameters_stay():
    ProcedureFactory(code="1.000001", name="Đăng ký khai sinh", is_published=True)
    ProcedureFactory(code="1.000002", name="Đăng ký kết hôn", is_published=True)
    ProcedureFactory(code="1.000003", name="Chưa công bố", is_published=False)
    names = CompiledQuery(lambda code: Procedure.objects.filter(is_published=True, code=code).values_list("name"))

    assert [tuple(row) for row in names.rows("1.000001")] == [("Đăng ký khai sinh",)]
    with CaptureQueriesContext(connection) as queries:
        assert [tuple(row) for row in names.rows("1.000002")] == [("Đăng ký kết hôn",)]
        assert names.rows("1.000003") == []  # the compiled is_published still applies
        assert names.rows("'; DROP TABLE procedures_procedure; --") == []  # a parameter, never SQL
    assert len(queries) == 3
    assert Procedure.objects.count() == 3


def test_the_converters_of_the_fields_apply():
    made = ProcedureFactory(code="1.000004")
    created = CompiledQuery(lambda code: Procedure.objects.filter(code=code).values_list("updated_at"))
    assert created.rows("1.000004")[0][0] == Procedure.objects.values_list("updated_at", flat=True).get(pk=made.pk)


@pytest.mark.parametrize("build", [
    lambda code: Procedure.objects.all(),  # the value nowhere
    lambda code: Procedure.objects.filter(code=code, name=code),  # the value twice
])
def test_a_statement_that_does_not_take_the_value_once_is_refused(build):
    with pytest.raises(ImproperlyConfigured):
        CompiledQuery(build).rows("x")


def test_several_values_each_in_its_place_and_a_pattern_s_value_taken_literally():
    ProcedureFactory(code="1.000005", name="Đăng ký khai sinh", service_level=2)
    ProcedureFactory(code="1.000006", name="Cấp 100% học phí_mẫu", service_level=4)
    # 1 as a placeholder: the statement's True (is_published) equals it in Python, but is no int.
    names = CompiledQuery(lambda word, level: Procedure.objects.filter(
        is_published=True, name__contains=word, service_level=level).values_list("code"), placeholders=("<w>", 1))

    assert names.rows("khai", 2) == [("1.000005",)]
    assert names.rows("khai", 4) == []
    assert names.rows("100%", 4) == [("1.000006",)]
    assert names.rows("%", 2) == [] and names.rows("_", 2) == []  # a wildcard is a character like any other
    assert names.rows("í_m", 4) == [("1.000006",)]


def test_the_count_leaves_out_the_ordering_and_a_page_is_a_limit_and_an_offset():
    for number in range(5):
        ProcedureFactory(code=f"1.00002{number}", name=f"Thủ tục {number}")
    ranked = CompiledQuery(lambda prefix, first: Procedure.objects.filter(code__startswith=prefix).order_by(
        RawSQL("CASE WHEN code = %s THEN 0 ELSE 1 END", [first]), "code").values_list("code"),
        placeholders=("<prefix>", "<first>"))

    assert ranked.count("1.00002", "1.000023") == 5
    assert [code for (code,) in ranked.rows("1.00002", "1.000023", limit=2, offset=0)] == ["1.000023", "1.000020"]
    assert [code for (code,) in ranked.rows("1.00002", "1.000023", limit=2, offset=3)] == ["1.000022", "1.000024"]
    assert ranked.count("9.", "x") == 0
