"""The catalogue search: ranked, ignoring diacritics and case on every database, indexed on PostgreSQL."""

import importlib

import pytest
from django.db import connection

from procedures.models import Procedure
from procedures.selectors import catalogue_matches, search_procedures
from tests.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    return {
        "other": ProcedureFactory(code="1.000001", name="Cấp bản sao trích lục đăng ký khai sinh"),
        "starts": ProcedureFactory(code="1.000002", name="Đăng ký khai sinh có yếu tố nước ngoài"),
        "starts_too": ProcedureFactory(code="1.000003", name="Đăng ký khai sinh"),
        "exact": ProcedureFactory(code="2.000488", name="Thủ tục có mã được tìm"),
        "unrelated": ProcedureFactory(code="1.000004", name="Cấp giấy phép xây dựng"),
    }


def codes(query):
    return [procedure.code for procedure in search_procedures(query=query)]


def test_names_starting_with_the_query_come_before_the_rest(catalogue):
    assert codes("dang ky khai sinh") == ["1.000003", "1.000002", "1.000001"]


@pytest.mark.parametrize("query", ["ĐĂNG KÝ KHAI SINH", "Đăng ký khai sinh", "dang KY khai sinh"])
def test_diacritics_and_case_are_ignored(catalogue, query):
    assert codes(query) == ["1.000003", "1.000002", "1.000001"]


def test_the_exact_code_comes_first(catalogue):
    ProcedureFactory(code="3.000001", name="Thủ tục nhắc tới 2.000488 trong tên")
    assert codes("2.000488") == ["2.000488", "3.000001"]


def test_without_a_query_the_list_is_by_name(catalogue):
    assert codes("") == sorted(codes(""), key=lambda code: search_procedures().get(code=code).name)
    assert len(codes("")) == 5


def test_a_query_with_like_wildcards_is_taken_literally(catalogue):
    assert codes("%") == []
    assert codes("dang_ky") == []


@pytest.mark.parametrize("query", ["", "dang ky khai sinh", "KHAI", "2.000488", "giấy phép xây", "%", "dang_ky",
                                   "một hai ba bốn năm sáu bảy tám chín mười mười một"])
@pytest.mark.parametrize("filtered", [(), ("tier",), ("agency", "level"), ("tier", "agency", "sector", "level")])
def test_the_catalogue_s_compiled_list_reads_what_search_procedures_finds(catalogue, query, filtered):
    chosen = catalogue["starts"]
    filters = {"tier": chosen.tier, "agency": chosen.agencies.get(), "sector": chosen.sector,
               "level": chosen.service_level}
    filters = {name: filters[name] for name in filtered}
    expected = [procedure.code for procedure in search_procedures(query=query, **filters)]
    matches = catalogue_matches(query=query, **filters)

    assert matches.count() == len(expected)
    assert [row["code"] for row in matches[0:20]] == expected
    assert [row["code"] for row in matches[1:2]] == expected[1:2]
    assert all(set(row) == {"code", "name", "service_level", "sector_id", "tier_id"} for row in matches[0:20])


def test_the_catalogue_page_shows_the_ranked_list(client, catalogue):
    page = client.get("/thu-tuc/", {"q": "dang ky khai sinh"}).content.decode()
    assert page.index("1.000003") < page.index("1.000002") < page.index("1.000001")
    assert "1.000004" not in page


@pytest.mark.postgres
def test_the_trigram_index_serves_the_search_on_postgresql(postgres, catalogue):
    # The suite runs without migrations: build the index as migration 0002 does, then ask the planner.
    migration = importlib.import_module("procedures.migrations.0002_procedure_search_trigram_index")
    with connection.schema_editor() as editor:
        editor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the factories' rows, checked before the DDL
        editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        migration.create_index(None, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [migration.INDEX])
        assert "gin_trgm_ops" in cursor.fetchone()[0]
    # The search's own predicate (the five rows here would be read whole otherwise, as they should).
    sql, params = Procedure.objects.filter(search_text__contains="giay phep").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert migration.INDEX in plan, plan
