"""A successful public lookup among 1,000,000 dossiers in PostgreSQL (``--dossiers N`` to change it).

What is timed: ``POST /tim-kiem/`` finding an existing dossier, the whole page (CSRF, captcha
check, rate limit, the indexed query on the code, the public timeline, rendering), by client
threads that each fetched the form once (the CSRF cookie). A response counts only if it shows
the dossier. The query check counts the queries of a lookup of a dossier at the start, the
middle and the end of the table.

The captcha must be satisfiable by a machine here: ``bench/run.py`` starts the server with
``CAPTCHA_TEST_MODE=1`` (the answer "PASSED" is accepted) and ``LOOKUP_RATE`` raised so the rate
limit does not stop the load generator. Neither is ever set in production.

The generator (``generate_dossiers``) writes the dossiers and their first history entry
with ``INSERT … SELECT … FROM generate_series`` in PostgreSQL, 200,000 rows a statement: a
million take about a minute. It is idempotent: rows it made before are counted, not made again.
"""

import sys
import time

from bench.framework import Browser, QueryCheck, Scenario, Target

AGENCIES = 100
AGENCY_CODE = "B{:02d}.99.12.H26"        # bench-only agencies, never clashing with real codes
SEQUENCE_MAX = 9999
CAPTCHA = {"captcha_0": "bench", "captcha_1": "PASSED"}  # accepted in CAPTCHA_TEST_MODE only
FOUND = b'class="dossier-code"'          # only a found dossier's page has it


# --- The generator --------------------------------------------------------------------------------

def _bench_catalogue():
    from procedures.models import Agency, JurisdictionTier, Procedure, Sector

    tier = JurisdictionTier.objects.filter(slug__in=["cap-xa", "bench-cap"]).order_by("slug").first()
    if tier is None:  # without the catalogue scenario's demo tiers
        tier = JurisdictionTier.objects.create(
            slug="bench-cap", name="Cấp xã (bench)", submit_label="Nộp hồ sơ (bench)",
            order=(JurisdictionTier.objects.order_by("-order").values_list("order", flat=True).first() or 0) + 1)
    sector, _created = Sector.objects.get_or_create(slug="bench-ho-tich", defaults={"name": "Hộ tịch (bench)"})
    procedure, _created = Procedure.objects.get_or_create(
        code="BENCH.000001", defaults={"name": "Đăng ký khai sinh (dữ liệu đo hiệu năng)", "sector": sector,
                                       "tier": tier, "service_level": 3, "processing_days": 3})
    agencies = []
    for index in range(AGENCIES):
        agency, _created = Agency.objects.get_or_create(
            identifier_code=AGENCY_CODE.format(index),
            defaults={"name": f"UBND phường Đo Hiệu Năng {index:02d}", "tier": tier,
                      "address": f"Số {index + 1} phố Đo Hiệu Năng", "opening_hours": "8:00–17:00"})
        agencies.append(agency)
    procedure.agencies.add(*agencies)
    return procedure, agencies


def _column_defaults(model, handled):
    """SQL parameters for every column the generator does not compute: the field's default, else NULL."""
    from django.db.models import NOT_PROVIDED

    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.attname in handled or field.primary_key:
            continue
        if field.default is not NOT_PROVIDED:
            value = field.get_default()
        elif field.null:
            value = None
        elif field.get_internal_type() in ("CharField", "TextField", "EmailField", "SlugField"):
            value = ""
        else:
            raise RuntimeError(f"the lookup generator does not know how to fill {model.__name__}.{field.name}")
        columns.append(field.column)
        values.append(_prep(field, value))
    return columns, values


def _prep(field, value):
    import json

    if field.get_internal_type() == "JSONField":
        return json.dumps(value)
    if hasattr(value, "hex") and field.get_internal_type() == "UUIDField":
        return str(value)
    return value


def generate_dossiers(count, *, stdout=sys.stdout):
    """Make sure ``count`` bench dossiers exist (with their "registered" history entry); return one code.

    Codes are ``B{agency}.99.12.H26-{yymmdd}-{seq}``: 100 agencies, up to 9,999 a day each,
    spread over consecutive days from 1 January 2025, in the national format.
    """
    from django.db import connection, transaction

    from dossiers.models import Dossier, DossierEvent

    procedure, agencies = _bench_catalogue()
    existing = Dossier.objects.filter(procedure=procedure).count()
    if existing >= count:
        print(f"lookup bench: {existing:,} dossiers already there", file=stdout)
        return _sample_code(procedure)
    handled = {"code", "procedure_id", "agency_id", "status", "applicant_name", "applicant_id_number",
               "applicant_phone", "applicant_email", "applicant_address", "submitted_at"}
    extra_columns, extra_values = _column_defaults(Dossier, handled)
    agency_ids = [agency.pk for agency in agencies]
    started = time.perf_counter()
    dossier_table = Dossier._meta.db_table
    columns = ["code", "procedure_id", "agency_id", "status", "applicant_name", "applicant_id_number",
               "applicant_phone", "applicant_email", "applicant_address", "submitted_at", *extra_columns]
    placeholders = ", ".join(["%s"] * len(extra_values))
    sql = f"""
        INSERT INTO {dossier_table} ({", ".join(columns)})
        SELECT format('B%%s.99.12.H26-%%s-%%s', lpad((k %% {AGENCIES})::text, 2, '0'),
                      to_char(DATE '2025-01-01' + ((k / {AGENCIES}) / {SEQUENCE_MAX})::int, 'YYMMDD'),
                      lpad(((k / {AGENCIES}) %% {SEQUENCE_MAX} + 1)::text, 4, '0')),
               %s, (%s::bigint[])[(k %% {AGENCIES}) + 1], 'registered',
               'Nguyễn Văn Thử ' || k, lpad(k::text, 12, '0'), '+8490' || lpad(k::text, 7, '0'),
               'bench' || k || '@example.com', 'Số ' || k || ' phố Đo Hiệu Năng',
               TIMESTAMPTZ '2025-01-01 08:00:00+07' + (((k / {AGENCIES}) / {SEQUENCE_MAX})::int || ' days')::interval
                   + ((k %% 480) || ' minutes')::interval
               {", " + placeholders if placeholders else ""}
        FROM generate_series(%s, %s) AS g(k)
    """
    batch = 200_000
    with connection.cursor() as cursor:
        for first in range(existing, count, batch):
            last = min(first + batch, count) - 1
            with transaction.atomic():
                cursor.execute(sql, [procedure.pk, agency_ids, *extra_values, first, last])
                event_table = DossierEvent._meta.db_table
                cursor.execute(f"""
                    INSERT INTO {event_table} (dossier_id, created_at, actor_kind, action, from_status, to_status,
                                               public_note, internal_note, appointment_date)
                    SELECT id, submitted_at, 'citizen', 'register', '', 'registered', '', '', NULL
                    FROM {dossier_table} d
                    WHERE d.procedure_id = %s AND NOT EXISTS (SELECT 1 FROM {event_table} e WHERE e.dossier_id = d.id)
                """, [procedure.pk])
            print(f"lookup bench: {last + 1:,} dossiers ({time.perf_counter() - started:.1f} s)", file=stdout)
        cursor.execute(f"ANALYZE {dossier_table}")
        cursor.execute(f"ANALYZE {DossierEvent._meta.db_table}")
    return _sample_code(procedure)


def _sample_code(procedure, k=None):
    """The code of the ``k``-th generated dossier (default: the middle of the table, no cache-friendly first row)."""
    from datetime import date, timedelta

    from dossiers.models import Dossier

    if k is None:
        k = Dossier.objects.filter(procedure=procedure).count() // 2
    day = (k // AGENCIES) // SEQUENCE_MAX
    return (f"B{k % AGENCIES:02d}.99.12.H26-{date(2025, 1, 1) + timedelta(days=day):%y%m%d}-"
            f"{(k // AGENCIES) % SEQUENCE_MAX + 1:04d}")


def lookup_requests(codes):
    """wrk's requests: one CSRF cookie fetched once, then a POST per code, each checked to show its dossier."""

    def build(port):
        from urllib.parse import urlencode

        browser = Browser(port)
        status, _headers, _body = browser.get("/tim-kiem/")
        token = browser.cookies.get("csrftoken")
        if status != 200 or not token:
            raise AssertionError(f"the lookup page answered {status} without a CSRF cookie")
        headers = {"Cookie": f"csrftoken={token}", "Content-Type": "application/x-www-form-urlencoded",
                   "Referer": f"http://127.0.0.1:{port}/tim-kiem/"}
        return [{"method": "POST", "path": "/tim-kiem/", "headers": headers,
                 "body": urlencode({"csrfmiddlewaretoken": token, "code": code, **CAPTCHA})} for code in codes]

    return build


def lookup_variant(code):
    def prepare(client):
        client.get("/tim-kiem/")
        return lambda: client.post("/tim-kiem/", {"code": code, **CAPTCHA})

    return prepare


class LookupScenario(Scenario):
    name = "lookup"

    def prepare(self, ctx):
        count = ctx.options.get("dossiers", 1_000_000)
        generate_dossiers(count)
        procedure, _agencies = _bench_catalogue()
        # Codes spread over the table, from the middle out.
        ctx.data["lookup_codes"] = [_sample_code(procedure, k) for k in
                                    sorted({(count // 2 + step * 7919) % count for step in range(64)})]
        ctx.data["lookup_checks"] = {"first dossier": _sample_code(procedure, 0),
                                     "middle": _sample_code(procedure, count // 2),
                                     "last dossier": _sample_code(procedure, count - 1)}

    def targets(self, ctx):
        count = ctx.options.get("dossiers", 1_000_000)
        return [Target(f"lookup POST /tim-kiem/, found among {count:,} dossiers",
                       requests=lookup_requests(ctx.data["lookup_codes"]), expect=FOUND)]

    def query_checks(self, ctx):
        return [QueryCheck("lookup POST (found)", {label: lookup_variant(code)
                                                  for label, code in ctx.data["lookup_checks"].items()})]


SCENARIO = LookupScenario()
