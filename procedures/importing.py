"""Importing the catalogue from the national procedure database's export (CSV or XLSX).

The export's columns, matched by their heading (case, diacritics and spacing ignored):
``Mã thủ tục``, ``Tên thủ tục``, ``Lĩnh vực``, ``Cấp thực hiện``, ``Cơ quan thực hiện``,
``Mức độ``, ``Thời hạn giải quyết``, ``Phí, lệ phí``, ``Thành phần hồ sơ``, ``Căn cứ pháp lý``
and, when present, ``Trình tự thực hiện``, ``Cách thức thực hiện``, ``Yêu cầu, điều kiện``,
``Đối tượng thực hiện``, ``Kết quả thực hiện``.

``import_procedures(rows)`` updates procedures by code and creates the missing ones and
their sectors, all in one transaction: either every valid row is written or none is. With
bad rows it writes nothing unless ``skip_invalid``; every bad row is reported with its line
number and the reason. ``dry_run`` does all the work and rolls it back, to show what would
change.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import (
    Agency,
    DossierComponent,
    Fee,
    FormTemplate,
    JurisdictionTier,
    Procedure,
    Sector,
    ServiceLevel,
)
from .pagecache import catalogue_changed
from .rules import service_level_problems
from .text import search_key

COLUMNS = {
    "code": "Mã thủ tục",
    "name": "Tên thủ tục",
    "sector": "Lĩnh vực",
    "tier": "Cấp thực hiện",
    "agencies": "Cơ quan thực hiện",
    "service_level": "Mức độ",
    "processing_time": "Thời hạn giải quyết",
    "fees": "Phí, lệ phí",
    "components": "Thành phần hồ sơ",
    "legal_basis": "Căn cứ pháp lý",
    "steps": "Trình tự thực hiện",
    "submission_methods": "Cách thức thực hiện",
    "conditions": "Yêu cầu, điều kiện",
    "applicants": "Đối tượng thực hiện",
    "result": "Kết quả thực hiện",
}
REQUIRED = ("code", "name", "sector", "tier", "service_level")
# Other headings the exports have used for the same columns.
ALIASES = {"muc do dvc": "service_level", "muc do dich vu cong": "service_level", "phi le phi": "fees",
           "ma tthc": "code", "ten tthc": "name", "co quan thuc hien tthc": "agencies"}
MAX_ROWS = 20000
CODE = re.compile(r"^[0-9A-Za-z.\-]+$")
FEE_LINE = re.compile(r"^\s*(?P<name>.*?)\s*[:\-–]\s*(?P<amount>\d{1,3}(?:[.,\s]\d{3})*|\d+)\s*(?:đồng|đ|vnđ|vnd)\b",
                      re.IGNORECASE)
UPDATED_FIELDS = ("name", "sector", "tier", "service_level", "processing_days", "processing_note", "fee_note",
                  "legal_basis", "steps", "submission_methods", "conditions", "result", "for_citizens",
                  "for_organisations")


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, no heading, a required column missing)."""


@dataclass
class RowError:
    line: int
    code: str
    reason: str

    def __str__(self):
        return _("Dòng %(line)d (%(code)s): %(reason)s") % {"line": self.line, "code": self.code or "–",
                                                            "reason": self.reason}


@dataclass
class ImportReport:
    created: list = field(default_factory=list)       # codes
    updated: dict = field(default_factory=dict)        # code -> [changed field names]
    unchanged: list = field(default_factory=list)
    sectors_created: list = field(default_factory=list)
    unpublished: list = field(default_factory=list)    # codes kept off the public catalogue, with why
    errors: list = field(default_factory=list)         # RowError
    written: bool = False
    dry_run: bool = False

    @property
    def rows_ok(self):
        return len(self.created) + len(self.updated) + len(self.unchanged)


def _heading_key(text):
    return re.sub(r"[^a-z0-9]+", " ", search_key(str(text or ""))).strip()


HEADINGS = {_heading_key(label): name for name, label in COLUMNS.items()} | ALIASES


def read_rows(uploaded_name, content):
    """``(line number, {column: text})`` for every data row of a CSV or XLSX file's bytes."""
    name = uploaded_name.lower()
    if name.endswith(".xlsx"):
        table = _xlsx_rows(content)
    elif name.endswith(".csv"):
        table = _csv_rows(content)
    else:
        raise ImportFileError(_("Chỉ nhận tệp CSV hoặc XLSX."))
    try:
        heading_line, heading = next(table)
    except StopIteration:
        raise ImportFileError(_("Tệp không có dòng tiêu đề.")) from None
    columns = [HEADINGS.get(_heading_key(cell)) for cell in heading]
    missing = [COLUMNS[name] for name in REQUIRED if name not in columns]
    if missing:
        raise ImportFileError(_("Thiếu cột bắt buộc: %(columns)s.") % {"columns": ", ".join(missing)})
    rows = []
    for line, cells in table:
        if not any(str(cell or "").strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(_("Tệp có quá %(max)d dòng.") % {"max": MAX_ROWS})
        rows.append((line, {column: str(cell if cell is not None else "").strip()
                            for column, cell in zip(columns, cells, strict=False) if column}))
    return rows


def _csv_rows(content):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_("Tệp CSV phải mã hóa UTF-8.")) from None
    dialect = csv.excel
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        pass
    # Numbered by record, as a spreadsheet numbers its rows (a cell may hold several lines).
    yield from enumerate(csv.reader(io.StringIO(text), dialect), start=1)


def _xlsx_rows(content):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportFileError(_("Không đọc được tệp XLSX.")) from error
    sheet = workbook.worksheets[0]
    for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield number, list(cells)


def _lines(text):
    return [re.sub(r"^\s*(?:[-•+*]|\d+[.)])\s*", "", line).strip() for line in re.split(r"[\n;]+", text or "")
            if line.strip()]


def parse_service_level(text):
    key = search_key(text)
    if "toan trinh" in key:
        return ServiceLevel.FULL
    if "mot phan" in key:
        return ServiceLevel.PARTIAL
    numbers = re.findall(r"\d+", key)
    if len(numbers) == 1 and 1 <= int(numbers[0]) <= 4:
        return int(numbers[0])
    raise ValueError(_("mức độ “%(value)s” không hợp lệ (1–4, “một phần” hoặc “toàn trình”)") % {"value": text})


def parse_processing_time(text):
    """``(working days, note)``: the first number of days, and the text when it says more than that."""
    match = re.search(r"(\d{1,3})", text or "")
    days = int(match.group(1)) if match else 0
    plain = re.fullmatch(r"\s*\d{1,3}\s*(ngày|ngày làm việc)?\s*", text or "", re.IGNORECASE)
    return days, "" if plain else (text or "")[:255]


def parse_fees(text):
    """Named amounts (``Lệ phí: 50.000 đồng`` per line) and the whole text as the note."""
    fees = []
    for line in _lines(text):
        match = FEE_LINE.match(line)
        if match:
            fees.append((match.group("name")[:255] or _("Lệ phí"), int(re.sub(r"\D", "", match.group("amount")))))
    return fees


class _Catalogue:
    """Tiers, sectors and agencies looked up by their names without diacritics (one query each)."""

    def __init__(self):
        self.tiers = {}
        for tier in JurisdictionTier.objects.all():
            for key in (search_key(tier.name), search_key(tier.slug.replace("-", " "))):
                self.tiers[key] = tier
        self.sectors = {search_key(sector.name): sector for sector in Sector.objects.all()}
        self.agencies = {search_key(agency.name): agency for agency in Agency.objects.all()}

    def tier(self, text):
        for part in re.split(r"[,;/\n]+", text):
            tier = self.tiers.get(search_key(part.strip()))
            if tier is not None:
                return tier
        raise ValueError(_("không có cấp thực hiện “%(value)s” trong danh mục") % {"value": text})

    def sector(self, name, report):
        key = search_key(name)
        if key not in self.sectors:
            slug = base = slugify(key)[:45] or "linh-vuc"
            number = 2
            while Sector.objects.filter(slug=slug).exists():
                slug, number = f"{base}-{number}", number + 1
            self.sectors[key] = Sector.objects.create(name=name[:160], slug=slug)
            report.sectors_created.append(name)
        return self.sectors[key]

    def agency_list(self, text):
        agencies, unknown = [], []
        for name in _lines(text):
            agency = self.agencies.get(search_key(name))
            (agencies if agency else unknown).append(agency or name)
        if unknown:
            raise ValueError(_("không có cơ quan “%(names)s” trong danh mục") % {"names": "”, “".join(unknown)})
        return agencies


def _validate(line, row, catalogue, seen):
    """The cleaned values of one row, or raise ``ValueError`` with the reason."""
    code = row.get("code", "")
    for name in REQUIRED:
        if not row.get(name):
            raise ValueError(_("thiếu “%(column)s”") % {"column": COLUMNS[name]})
    if len(code) > 30 or not CODE.match(code):
        raise ValueError(_("mã thủ tục chỉ gồm chữ, số, dấu chấm, gạch ngang (tối đa 30 ký tự)"))
    if code in seen:
        raise ValueError(_("mã thủ tục trùng với dòng %(line)d") % {"line": seen[code]})
    if len(row["name"]) > 500:
        raise ValueError(_("tên thủ tục dài quá 500 ký tự"))
    days, note = parse_processing_time(row.get("processing_time", ""))
    applicants = search_key(row.get("applicants", ""))
    for_organisations = any(word in applicants for word in ("to chuc", "doanh nghiep"))
    return {
        "code": code, "name": row["name"], "tier": catalogue.tier(row["tier"]),
        "service_level": parse_service_level(row["service_level"]),
        "processing_days": days, "processing_note": note,
        "fee_note": row.get("fees", ""), "fees": parse_fees(row.get("fees", "")),
        "legal_basis": row.get("legal_basis", ""), "steps": row.get("steps", ""),
        "submission_methods": row.get("submission_methods", ""), "conditions": row.get("conditions", ""),
        "result": row.get("result", ""),
        "for_citizens": not applicants or "cong dan" in applicants or "ca nhan" in applicants or not for_organisations,
        "for_organisations": for_organisations,
        "agencies": catalogue.agency_list(row["agencies"]) if row.get("agencies") else None,
        "components": _lines(row.get("components", "")),
        "sector_name": row["sector"][:160],
    }


def _apply(values, catalogue, report):
    sector = catalogue.sector(values["sector_name"], report)
    procedure = Procedure.objects.filter(code=values["code"]).first()
    new = procedure is None
    if new:
        procedure = Procedure(code=values["code"], is_published=False)
    changed = []
    for name in UPDATED_FIELDS:
        value = sector if name == "sector" else values[name]
        if name in ("sector", "tier"):
            if getattr(procedure, f"{name}_id") != value.pk:
                setattr(procedure, name, value)
                changed.append(name)
        elif getattr(procedure, name) != value:
            setattr(procedure, name, value)
            changed.append(name)
    # The database enforces the constraints; the rows were checked against the rest above.
    procedure.full_clean(exclude=["agencies"], validate_unique=False, validate_constraints=False)
    procedure.save()
    if values["agencies"] is not None and (new or set(procedure.agencies.all()) != set(values["agencies"])):
        procedure.agencies.set(values["agencies"])
        changed.append("agencies")
    components = [] if new else list(procedure.components.all())
    existing_components = {search_key(c.name) for c in components}
    order = len(components)
    missing = []
    for name in values["components"]:
        if search_key(name) not in existing_components:
            order += 1
            missing.append(DossierComponent(procedure=procedure, name=name[:500], order=order))
            existing_components.add(search_key(name))
    if missing:
        DossierComponent.objects.bulk_create(missing)
        changed.append("components")
    if values["fees"] and (new or [(f.name, f.amount) for f in procedure.fees.all()] != values["fees"]):
        procedure.fees.all().delete()
        Fee.objects.bulk_create([Fee(procedure=procedure, name=name, amount=amount, order=index)
                                 for index, (name, amount) in enumerate(values["fees"])])
        changed.append("fees")
    problems = service_level_problems(
        service_level=procedure.service_level,
        agency_count=len(values["agencies"]) if values["agencies"] is not None else procedure.agencies.count(),
        template_count=0 if new else FormTemplate.objects.filter(component__procedure=procedure).count())
    if problems and procedure.is_published:
        # A published procedure never breaks the catalogue's rules: it goes back to draft until fixed.
        procedure.is_published = False
        procedure.save(update_fields=["is_published"])
        changed.append("is_published")
    if problems:
        report.unpublished.append(f"{procedure.code}: {' '.join(str(p) for p in problems.values())}")
    if new:
        report.created.append(procedure.code)
    elif changed:
        report.updated[procedure.code] = changed
    else:
        report.unchanged.append(procedure.code)


class _DryRun(Exception):
    pass


def import_procedures(rows, *, dry_run=False, skip_invalid=False):
    """Import ``rows`` (from ``read_rows``) in one transaction and return the ``ImportReport``.

    Guarantees: either every row that is written is written, or nothing is (any error
    rolls everything back). Rows with errors are all reported; with any of them nothing
    is written unless ``skip_invalid``. ``dry_run`` rolls back at the end, whatever happened.
    New procedures start unpublished (an administrator adds form templates and publishes);
    an updated published procedure that now breaks the catalogue's rules is unpublished.
    """
    report = ImportReport(dry_run=dry_run)
    try:
        with transaction.atomic():
            catalogue = _Catalogue()
            seen, valid = {}, []
            for line, row in rows:
                try:
                    valid.append((line, _validate(line, row, catalogue, seen)))
                    seen[row["code"]] = line
                except ValueError as error:
                    report.errors.append(RowError(line=line, code=row.get("code", ""), reason=str(error)))
            if report.errors and not skip_invalid and not dry_run:
                raise _DryRun
            for line, values in valid:
                try:
                    with transaction.atomic():
                        _apply(values, catalogue, report)
                except ValidationError as error:
                    report.errors.append(RowError(line=line, code=values["code"], reason="; ".join(error.messages)))
            if (report.errors and not skip_invalid) or dry_run:
                raise _DryRun
            catalogue_changed()
            report.written = True
    except _DryRun:
        report.written = False
        if report.errors and not skip_invalid and not dry_run:
            # Nothing was written and nothing was tried: no "would change" to show.
            report.created, report.updated, report.unchanged, report.sectors_created = [], {}, [], []
    report.errors.sort(key=lambda error: error.line)
    return report
