"""procedures.compiled.CompiledQuery: the ORM's statement, compiled once, run with each value."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
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
    lambda code: Procedure.objects.filter(name__contains=code),  # the value changed (%…%)
])
def test_a_statement_that_does_not_take_the_value_once_is_refused(build):
    with pytest.raises(ImproperlyConfigured):
        CompiledQuery(build).rows("x")
