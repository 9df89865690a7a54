"""Catalogue import from the national database's export: 500 procedures with bad rows mixed in, CSV and XLSX."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procedures.importing import import_procedures, read_rows
from procedures.models import Procedure, Sector
from tests.factories import AgencyFactory, ProcedureFactory, SectorFactory, TierFactory, UserFactory

from .national_export import BAD_ROWS, as_csv, as_xlsx, export_rows, line_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def catalogue():
    tier = TierFactory()
    TierFactory(slug="cap-huyen", name="Cấp huyện", order=2)
    AgencyFactory(tier=tier, name="UBND phường Cửa Nam")
    SectorFactory()   # "Hộ tịch" exists; the others are new
    return tier


@pytest.fixture
def export_file(tmp_path):
    def write(kind, rows):
        path = tmp_path / f"tthc.{kind}"
        path.write_bytes(as_csv(rows) if kind == "csv" else as_xlsx(rows))
        return path
    return write


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_bad_rows_are_all_reported_and_nothing_is_written(kind, export_file):
    path = export_file(kind, export_rows())
    report = import_procedures(read_rows(path.name, path.read_bytes()))
    assert not report.written
    assert [error.line for error in report.errors] == [line_of(n) for n in sorted(BAD_ROWS)]
    for error, number in zip(report.errors, sorted(BAD_ROWS), strict=True):
        assert BAD_ROWS[number][1] in error.reason, (number, error.reason)
    assert report.errors[-1].reason.endswith(f"dòng {line_of(10)}")  # 2.000010 first appeared there
    assert Procedure.objects.count() == 0 and Sector.objects.count() == 1


@pytest.mark.parametrize("kind", ["csv"])
def test_skip_invalid_imports_the_other_493_in_one_go(kind, export_file):
    path = export_file(kind, export_rows())
    report = import_procedures(read_rows(path.name, path.read_bytes()), skip_invalid=True)
    assert report.written and len(report.errors) == 7
    assert len(report.created) == 493 == Procedure.objects.count()
    assert sorted(report.sectors_created) == sorted(["Chứng thực", "Đất đai", "Xây dựng", "Giáo dục và Đào tạo",
                                                     "Lao động - Tiền lương"])
    procedure = Procedure.objects.get(code="2.000003")
    assert procedure.name == "Thủ tục thử nghiệm số 3" and procedure.sector.name == "Xây dựng"
    assert procedure.service_level == 3 and procedure.processing_days == 4 and procedure.processing_note == ""
    assert [(fee.name, fee.amount) for fee in procedure.fees.all()] == [("Lệ phí", 50000), ("Phí bản sao", 8000)]
    assert [c.name for c in procedure.components.all()] == ["Tờ khai theo mẫu", "Bản sao giấy tờ tùy thân"]
    assert [a.name for a in procedure.agencies.all()] == ["UBND phường Cửa Nam"]
    assert procedure.legal_basis == "Luật Hộ tịch 2014"
    # New procedures wait for their form templates before they are published.
    assert not Procedure.objects.filter(is_published=True).exists()
    assert Procedure.objects.get(code="2.000002").service_level == 4    # "Toàn trình"


def test_updates_by_code_and_a_dry_run_changes_nothing(export_file, catalogue):
    existing = ProcedureFactory(code="2.000001", name="Tên cũ", tier=catalogue, service_level=1,
                                processing_days=30, is_published=True)
    path = export_file("csv", export_rows(count=20, bad=False))
    dry = import_procedures(read_rows(path.name, path.read_bytes()), dry_run=True)
    assert dry.dry_run and not dry.written and len(dry.created) == 19
    assert "name" in dry.updated["2.000001"] and "processing_days" in dry.updated["2.000001"]
    existing.refresh_from_db()
    assert existing.name == "Tên cũ" and Procedure.objects.count() == 1 and Sector.objects.count() == 1
    report = import_procedures(read_rows(path.name, path.read_bytes()))
    assert report.written and report.errors == [] and len(report.created) == 19
    existing.refresh_from_db()
    assert existing.name == "Thủ tục thử nghiệm số 1" and existing.processing_days == 2
    # Importing the same file again changes nothing.
    again = import_procedures(read_rows(path.name, path.read_bytes()))
    assert len(again.unchanged) == 20 and not again.created and not again.updated


def test_the_command_reports_and_fails_on_bad_rows(export_file, capsys):
    path = export_file("csv", export_rows(count=60))
    with pytest.raises(CommandError, match="2 dòng lỗi"):
        call_command("import_procedures", str(path))
    out = capsys.readouterr().out
    assert f"Dòng {line_of(7)} (–): thiếu “Mã thủ tục”" in out
    assert f"Dòng {line_of(50)} (2.000050): mức độ “Mức độ 7” không hợp lệ" in out
    assert Procedure.objects.count() == 0
    call_command("import_procedures", str(path), "--dry-run")
    assert "Chạy thử" in capsys.readouterr().out and Procedure.objects.count() == 0
    call_command("import_procedures", str(path), "--skip-invalid")
    assert Procedure.objects.count() == 58


def test_files_that_cannot_be_read(tmp_path):
    from procedures.importing import ImportFileError

    with pytest.raises(ImportFileError, match="Chỉ nhận tệp CSV hoặc XLSX"):
        read_rows("tthc.pdf", b"%PDF")
    with pytest.raises(ImportFileError, match="Thiếu cột bắt buộc: Mã thủ tục"):
        read_rows("tthc.csv", "Tên thủ tục,Lĩnh vực\nA,B\n".encode())
    with pytest.raises(ImportFileError, match="Không đọc được tệp XLSX"):
        read_rows("tthc.xlsx", b"not a zip")
    with pytest.raises(ImportFileError, match="UTF-8"):
        read_rows("tthc.csv", "Mã thủ tục;Tên".encode("utf-16"))


def test_the_admin_page_for_catalogue_administrators(client, export_file):
    from django.contrib.auth.models import Permission

    admin_user = UserFactory(username="quantridanhmuc")
    admin_user.user_permissions.add(*Permission.objects.filter(codename__in=["add_procedure", "change_procedure",
                                                                              "view_procedure"]))
    client.force_login(admin_user)
    url = "/quan-tri/procedures/procedure/nhap-tu-tep/"
    assert "Nhập từ tệp" in client.get("/quan-tri/procedures/procedure/").content.decode()
    path = export_file("xlsx", export_rows(count=130))
    with path.open("rb") as handle:
        page = client.post(url, {"file": handle, "dry_run": "on"})
    text = page.content.decode()
    assert page.status_code == 200 and "Kết quả chạy thử (chưa ghi)" in text
    assert "Thêm mới 127, cập nhật 0, không đổi 0 thủ tục; 3 dòng lỗi." in text
    assert f"<td>{line_of(123)}</td><td>2.000123</td>" in text
    assert Procedure.objects.count() == 0
    with path.open("rb") as handle:
        text = client.post(url, {"file": handle}).content.decode()
    assert "Không nhập: tệp có dòng lỗi" in text and Procedure.objects.count() == 0
    with path.open("rb") as handle:
        text = client.post(url, {"file": handle, "skip_invalid": "on"}).content.decode()
    assert "Đã nhập" in text and Procedure.objects.count() == 127
    bad = client.post(url, {"file": __import__("io").BytesIO(b"x")})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()


def test_a_clerk_cannot_open_the_import_page(client):
    clerk = UserFactory(username="motcua2")
    client.force_login(clerk)
    assert client.get("/quan-tri/procedures/procedure/nhap-tu-tep/").status_code == 403


def test_import_query_count_grows_with_rows_not_with_the_catalogue(export_file):
    path = export_file("csv", export_rows(count=10, bad=False))
    with CaptureQueriesContext(connection) as queries:
        import_procedures(read_rows(path.name, path.read_bytes()))
    assert len(queries) < 10 * 40
