"""A successful public lookup among 1,000,000 dossiers in PostgreSQL (``--dossiers N`` to change it).

What is timed: ``POST /tim-kiem/`` finding an existing dossier, the whole page (CSRF, captcha
check, rate limit, the indexed query on the code, the public timeline, rendering), by client
threads that each fetched the form once (the CSRF cookie). A response counts only if it shows
the dossier. The query check counts the queries of a lookup of a dossier at the start, the
middle and the end of the table.

The captcha must be satisfiable by a machine here: ``bench/run.py`` starts the server with
``CAPTCHA_TEST_MODE=1`` (the answer "PASSED" is accepted) and ``LOOKUP_RATE`` raised so the rate
limit does not stop the load generator. Neither is ever set in production.

The generator (``generate_dossiers``) writes a year of a province's dossiers with ``INSERT …
SELECT … FROM generate_series`` in PostgreSQL, and their history (one row per transition, as
``dossiers.services.apply_transition`` writes them), one statement per ~200,000 dossiers:

* dates: the last 365 days up to today, weighted by day: Monday 1.5, Tuesday–Thursday 1,
  Friday 0.9, Saturday 0.12, Sunday 0.04; the three weeks before Tết 1.8 (the rush), the Tết
  holiday and the other public holidays (30/4, 1/5, 2/9) nearly nothing; office hours;
* 100 agencies (``B00…B99.99.12.H26``, skewed: the largest files ~8 %, the smallest ~0.1 %),
  40 procedures in 5 sectors (skewed too, with 1–20 processing days);
* statuses (the real ``DossierStatus`` choices) by age: a dossier of the last days is mostly
  registered, received or processing; one of a month ago mostly has its result; an old one is
  returned, refused, withdrawn or stopped (a few still processing: overdue); received_at,
  appointment_date (reception + processing days, weekends added), result_ready_at (some after
  the appointment: late), returned_at consistent with the status and never in the future;
* codes in the national format ``B{agency}.99.12.H26-{yymmdd of filing}-{sequence of that
  agency's day}``; applicant names from Vietnamese name pools with their search form.

A dossier's number ``k`` (0 = the oldest) is its ID number (``applicant_id_number``, indexed),
so ``sample_code(k)`` finds any of them. A million take about a minute. It runs once per
database: dossiers it made before are counted, not made again.
"""

import sys
import time
from datetime import date, timedelta

from bench.framework import Browser, QueryCheck, Scenario, Target

AGENCIES = 100
PROCEDURES = 40
SECTORS = 5
PROCESSING_DAYS = [3, 1, 5, 7, 10, 15, 20, 3, 5, 12]
AGENCY_CODE = "B{:02d}.99.12.H26"        # bench-only agencies, never clashing with real codes
CAPTCHA = {"captcha_0": "bench", "captcha_1": "PASSED"}  # accepted in CAPTCHA_TEST_MODE only
FOUND = b'class="dossier-code"'          # only a found dossier's page has it
TET = {2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6),
       2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3)}
HOLIDAYS = {(4, 30), (5, 1), (9, 2), (9, 1), (1, 1)}
WEEKDAY_WEIGHT = [1.5, 1.0, 1.0, 1.0, 0.9, 0.12, 0.04]  # Monday … Sunday
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Xuân", "Thu", "Hoài", "Gia"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương", "Khánh",
         "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Ngân", "Phúc", "Phương", "Quân", "Quyên", "Sơn", "Tâm",
         "Thảo", "Thắng", "Trang", "Trung", "Tú", "Tuấn", "Uyên", "Việt", "Yến", "Ánh"]


# --- The generator --------------------------------------------------------------------------------

def bench_catalogue():
    """The bench's tier, 5 sectors, 40 procedures and 100 agencies (made once): (procedures, agencies)."""
    from procedures.models import Agency, JurisdictionTier, Procedure, Sector

    tier = JurisdictionTier.objects.filter(slug__in=["cap-xa", "bench-cap"]).order_by("slug").first()
    if tier is None:  # without the catalogue scenario's demo tiers
        tier = JurisdictionTier.objects.create(
            slug="bench-cap", name="Cấp xã (bench)", submit_label="Nộp hồ sơ (bench)",
            order=(JurisdictionTier.objects.order_by("-order").values_list("order", flat=True).first() or 0) + 1)
    sectors = [Sector.objects.get_or_create(slug="bench-ho-tich", defaults={"name": "Hộ tịch (bench)"})[0]]
    sectors += [Sector.objects.get_or_create(slug=f"bench-linh-vuc-{n}", defaults={"name": f"Lĩnh vực đo {n}"})[0]
                for n in range(1, SECTORS)]
    procedures = []
    for n in range(PROCEDURES):
        name = ("Đăng ký khai sinh (dữ liệu đo hiệu năng)" if n == 0
                else f"Thủ tục đo hiệu năng số {n:02d} (đăng ký, cấp giấy)")
        procedure, _created = Procedure.objects.get_or_create(
            code=f"BENCH.{n + 1:06d}", defaults={"name": name, "sector": sectors[n % SECTORS], "tier": tier,
                                                  "service_level": 3 + n % 2,
                                                  "processing_days": PROCESSING_DAYS[n % len(PROCESSING_DAYS)]})
        procedures.append(procedure)
    agencies = []
    for index in range(AGENCIES):
        agency, _created = Agency.objects.get_or_create(
            identifier_code=AGENCY_CODE.format(index),
            defaults={"name": f"UBND phường Đo Hiệu Năng {index:02d}", "tier": tier,
                      "address": f"Số {index + 1} phố Đo Hiệu Năng", "opening_hours": "8:00–17:00"})
        agencies.append(agency)
    through = Procedure.agencies.through
    through.objects.bulk_create([through(procedure_id=p.pk, agency_id=a.pk) for p in procedures for a in agencies],
                                ignore_conflicts=True)
    return procedures, agencies


def day_weight(day):
    """How busy a day is, relative to an ordinary Tuesday."""
    weight = WEEKDAY_WEIGHT[day.weekday()]
    tet = TET.get(day.year) if TET.get(day.year, date.max) >= day else TET.get(day.year + 1)
    if tet is not None:
        before = (tet - day).days
        if -5 <= before <= 2:
            return 0.02  # the Tết holiday
        if 3 <= before <= 21:
            weight *= 1.8  # the rush before Tết
    if (day.month, day.day) in HOLIDAYS:
        return 0.03
    return weight


def day_plan(count, today):
    """[(day, first k, dossiers that day)] over the 365 days up to ``today``, summing to ``count``."""
    days = [today - timedelta(days=age) for age in range(364, -1, -1)]
    weights = [day_weight(day) for day in days]
    total = sum(weights)
    shares = [count * weight / total for weight in weights]
    counts = [int(share) for share in shares]
    for index in sorted(range(len(days)), key=lambda i: counts[i] - shares[i])[: count - sum(counts)]:
        counts[index] += 1
    plan, first = [], 0
    for day, n in zip(days, counts, strict=True):
        if n:
            plan.append((day, first, n))
            first += n
    return plan


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


# One dossier's status by its age in days (a = its 0–99 draw): the share of each in a real year.
_STATUS_SQL = """
    CASE
        WHEN age <= 3 THEN CASE WHEN a < 2 THEN 'awaiting_payment' WHEN a < 45 THEN 'registered'
                                WHEN a < 68 THEN 'received' WHEN a < 88 THEN 'processing'
                                WHEN a < 95 THEN 'supplement_requested' WHEN a < 97 THEN 'withdrawn'
                                ELSE 'refused' END
        WHEN age <= 45 THEN CASE WHEN a < 3 THEN 'registered' WHEN a < 10 THEN 'received'
                                 WHEN a < 40 THEN 'processing' WHEN a < 47 THEN 'supplement_requested'
                                 WHEN a < 60 THEN 'result_ready' WHEN a < 88 THEN 'returned'
                                 WHEN a < 93 THEN 'refused' WHEN a < 96 THEN 'withdrawn'
                                 WHEN a < 97 THEN 'stopped' WHEN a < 98 THEN 'dispatched' ELSE 'returned' END
        ELSE CASE WHEN a < 78 THEN 'returned' WHEN a < 82 THEN 'refused' WHEN a < 85 THEN 'withdrawn'
                  WHEN a < 86 THEN 'stopped' WHEN a < 89 THEN 'result_ready' WHEN a < 92 THEN 'processing'
                  WHEN a < 93 THEN 'dispatched' WHEN a < 94 THEN 'supplement_requested' ELSE 'returned' END
    END
"""
# Each status's history, as the workflow writes it: (status, step, action, from, to, actor, when).
_PATHS = [
    ("registered", [("register", "", "registered", "citizen", "submitted")]),
    ("awaiting_payment", [("register", "", "awaiting_payment", "citizen", "submitted")]),
    ("received", [("register", "", "registered", "citizen", "submitted"),
                  ("receive", "registered", "received", "clerk", "received")]),
    ("processing", [("register", "", "registered", "citizen", "submitted"),
                    ("receive", "registered", "received", "clerk", "received"),
                    ("assign", "received", "processing", "clerk", "assigned")]),
    ("supplement_requested", [("register", "", "registered", "citizen", "submitted"),
                              ("receive", "registered", "received", "clerk", "received"),
                              ("request_supplement", "received", "supplement_requested", "clerk", "assigned")]),
    ("result_ready", [("register", "", "registered", "citizen", "submitted"),
                      ("receive", "registered", "received", "clerk", "received"),
                      ("assign", "received", "processing", "clerk", "assigned"),
                      ("record_result", "processing", "result_ready", "clerk", "result")]),
    ("returned", [("register", "", "registered", "citizen", "submitted"),
                  ("receive", "registered", "received", "clerk", "received"),
                  ("assign", "received", "processing", "clerk", "assigned"),
                  ("record_result", "processing", "result_ready", "clerk", "result"),
                  ("return_result", "result_ready", "returned", "clerk", "returned")]),
    ("dispatched", [("register", "", "registered", "citizen", "submitted"),
                    ("receive", "registered", "received", "clerk", "received"),
                    ("assign", "received", "processing", "clerk", "assigned"),
                    ("record_result", "processing", "result_ready", "clerk", "result"),
                    ("dispatch", "result_ready", "dispatched", "clerk", "dispatched")]),
    ("refused", [("register", "", "registered", "citizen", "submitted"),
                 ("refuse", "registered", "refused", "clerk", "closed")]),
    ("withdrawn", [("register", "", "registered", "citizen", "submitted"),
                   ("withdraw", "registered", "withdrawn", "citizen", "closed")]),
    ("stopped", [("register", "", "registered", "citizen", "submitted"),
                 ("receive", "registered", "received", "clerk", "received"),
                 ("stop", "received", "stopped", "clerk", "assigned")]),
]
_RECEIVED = ("received", "processing", "supplement_requested", "result_ready", "returned", "dispatched", "stopped")


def generate_dossiers(count, *, stdout=sys.stdout):
    """Make sure ``count`` bench dossiers exist, with their history; return the code of the middle one."""
    from django.db import connection, transaction
    from django.utils import timezone

    from dossiers.models import Dossier, DossierEvent
    from procedures.text import search_key

    procedures, agencies = bench_catalogue()
    existing = Dossier.objects.filter(procedure__code__startswith="BENCH.").count()
    if existing:
        print(f"lookup bench: {existing:,} dossiers already there", file=stdout)
        return sample_code(existing // 2)
    handled = {"code", "procedure_id", "agency_id", "status", "version", "applicant_name", "applicant_search_name",
               "applicant_id_number", "applicant_phone", "applicant_email", "applicant_address", "submitted_at",
               "received_at", "appointment_date", "result_ready_at", "returned_at", "closed_reason",
               "delivery_method", "delivery_address", "tracking_number"}
    extra_columns, extra_values = _column_defaults(Dossier, handled)
    names = [f"{f} {m} {g}" for f in FAMILY for m in MIDDLE for g in GIVEN]
    keys = [search_key(name) for name in names]
    dossier_table, event_table = Dossier._meta.db_table, DossierEvent._meta.db_table
    columns = ["code", "procedure_id", "agency_id", "status", "version", "applicant_name", "applicant_search_name",
               "applicant_id_number", "applicant_phone", "applicant_email", "applicant_address", "submitted_at",
               "received_at", "appointment_date", "result_ready_at", "returned_at", "closed_reason",
               "delivery_method", "delivery_address", "tracking_number", *extra_columns]
    placeholders = "".join(f", %(x{index})s" for index in range(len(extra_values)))
    versions = " ".join(f"WHEN '{status}' THEN {len(steps)}" for status, steps in _PATHS)
    # h(k, salt): a pseudo-random 0–999 per row, independent for each salt.
    h = "(abs(hashtext(k::text || '{}')) %% 1000)"
    sql = f"""
        WITH g AS (
            SELECT k, day, (%(today)s::date - day) AS age, {h.format('s')} / 10 AS a,
                   floor({AGENCIES} * power({h.format('g')} / 1000.0, 1.8))::int AS ai,
                   floor({PROCEDURES} * power({h.format('p')} / 1000.0, 2.2))::int AS pi,
                   {h.format('t')} AS t, {h.format('n')} AS n, {h.format('d')} AS d
            FROM unnest(%(days)s::date[], %(firsts)s::bigint[], %(counts)s::int[]) AS plan(day, first_k, n_day),
                 generate_series(first_k, first_k + n_day - 1) AS s(k)
        ), s AS (
            SELECT g.*, {_STATUS_SQL} AS status,
                   (%(days_of)s::int[])[pi + 1] AS processing_days,
                   least((day::timestamp + make_interval(mins => 420 + t * 630 / 1000))
                         AT TIME ZONE 'Asia/Ho_Chi_Minh', now() - interval '1 minute') AS submitted,
                   row_number() OVER (PARTITION BY day, ai ORDER BY k) AS seq
            FROM g
        ), r AS (
            SELECT s.*,
                   CASE WHEN status IN {_RECEIVED}
                        THEN least(submitted + make_interval(hours => 1 + d %% 26), now()) END AS received
            FROM s
        ), f AS (
            SELECT r.*,
                   (received AT TIME ZONE 'Asia/Ho_Chi_Minh')::date + processing_days
                       + 2 * (processing_days / 5) + 1 AS appointment,
                   CASE WHEN status IN ('result_ready', 'returned', 'dispatched')
                        THEN least(received + make_interval(hours => greatest(2, processing_days * (6 + d %% 34))),
                                   now()) END AS result
            FROM r
        )
        INSERT INTO {dossier_table} ({", ".join(columns)})
        SELECT format('B%%s.99.12.H26-%%s-%%s', lpad(ai::text, 2, '0'), to_char(day, 'YYMMDD'),
                      lpad(seq::text, 4, '0')),
               (%(procedures)s::bigint[])[pi + 1], (%(agencies)s::bigint[])[ai + 1], status,
               CASE status {versions} END,
               (%(names)s::text[])[(n * {len(names)} / 1000) + 1], (%(keys)s::text[])[(n * {len(names)} / 1000) + 1],
               lpad(k::text, 12, '0'), '+8490' || lpad(k::text, 7, '0'),
               CASE WHEN d < 600 THEN 'bench' || k || '@example.com' ELSE '' END,
               'Số ' || (k %% 300 + 1) || ' phố Đo Hiệu Năng',
               submitted, received, CASE WHEN received IS NOT NULL THEN appointment END, result,
               CASE WHEN status = 'returned' THEN least(result + make_interval(hours => 1 + t %% 72), now()) END,
               CASE WHEN status IN ('refused', 'stopped') THEN 'Hồ sơ không đủ điều kiện (dữ liệu đo hiệu năng)'
                    ELSE '' END,
               CASE WHEN status = 'dispatched' THEN 'post' ELSE 'in_person' END,
               CASE WHEN status = 'dispatched' THEN 'Số ' || (k %% 300 + 1) || ' phố Đo Hiệu Năng' ELSE '' END,
               CASE WHEN status = 'dispatched' THEN 'EB' || lpad(k::text, 9, '0') || 'VN' ELSE '' END
               {placeholders}
        FROM f
    """
    steps = [(status, number, *step) for status, path in _PATHS for number, step in enumerate(path)]
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(steps))
    events_sql = f"""
        INSERT INTO {event_table} (dossier_id, created_at, actor_kind, action, from_status, to_status,
                                   public_note, internal_note, appointment_date)
        SELECT d.id,
               least(CASE p.at WHEN 'submitted' THEN d.submitted_at
                               WHEN 'received' THEN d.received_at
                               WHEN 'assigned' THEN d.received_at + interval '3 hours'
                               WHEN 'result' THEN d.result_ready_at
                               WHEN 'returned' THEN d.returned_at
                               WHEN 'dispatched' THEN d.result_ready_at + interval '2 hours'
                               ELSE d.submitted_at + interval '20 hours' END + p.step * interval '1 second',
                     now()),
               p.actor, p.action, p.from_status, p.to_status, '', '',
               CASE WHEN p.action = 'register' THEN NULL ELSE d.appointment_date END
        FROM {dossier_table} d
        JOIN (VALUES {values}) AS p(status, step, action, from_status, to_status, actor, at) ON p.status = d.status
        WHERE d.id > %s
    """
    event_params = [value for step in steps for value in step]
    today = timezone.localdate()
    plan = day_plan(count, today)
    params = {"today": today, "procedures": [p.pk for p in procedures], "agencies": [a.pk for a in agencies],
              "days_of": [p.processing_days for p in procedures], "names": names, "keys": keys,
              **{f"x{index}": value for index, value in enumerate(extra_values)}}
    started = time.perf_counter()
    batches, batch = [], []
    for entry in plan:
        batch.append(entry)
        if sum(n for _day, _first, n in batch) >= 200_000:
            batches.append(batch)
            batch = []
    batches += [batch] if batch else []
    done = 0
    with connection.cursor() as cursor:
        for batch in batches:
            with transaction.atomic():
                cursor.execute(f"SELECT coalesce(max(id), 0) FROM {dossier_table}")
                last_id = cursor.fetchone()[0]
                cursor.execute(sql, {**params, "days": [b[0] for b in batch], "firsts": [b[1] for b in batch],
                                     "counts": [b[2] for b in batch]})
                cursor.execute(events_sql, [*event_params, last_id])
            done += sum(n for _day, _first, n in batch)
            print(f"lookup bench: {done:,} dossiers with their history ({time.perf_counter() - started:.1f} s)",
                  file=stdout)
        cursor.execute(f"ANALYZE {dossier_table}")
        cursor.execute(f"ANALYZE {event_table}")
    return sample_code(count // 2)


def sample_code(k):
    """The code of the ``k``-th generated dossier (0: the oldest), found by its ID number."""
    from dossiers.models import Dossier

    return Dossier.objects.filter(applicant_id_number=f"{k:012d}", procedure__code__startswith="BENCH.").values_list(
        "code", flat=True).get()



def returned_code(position):
    """The code of a returned dossier at ``position`` (0 the oldest, 1 the newest) of the table."""
    from dossiers.models import Dossier

    returned = Dossier.objects.filter(procedure__code__startswith="BENCH.", status="returned").order_by("pk")
    total = returned.count()
    return returned.values_list("code", flat=True)[min(total - 1, int(position * total))]


def lookup_requests(codes, path="/tim-kiem/"):
    """wrk's requests: one CSRF cookie fetched once, then a POST per code to ``path``, each checked to
    show its dossier."""

    def build(port):
        from urllib.parse import urlencode

        browser = Browser(port)
        status, _headers, _body = browser.get("/tim-kiem/")
        token = browser.cookies.get("csrftoken")
        if status != 200 or not token:
            raise AssertionError(f"the lookup page answered {status} without a CSRF cookie")
        headers = {"Cookie": f"csrftoken={token}", "Content-Type": "application/x-www-form-urlencoded",
                   "Referer": f"http://127.0.0.1:{port}/tim-kiem/"}
        return [{"method": "POST", "path": path, "headers": headers,
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
        # Codes spread over the table (every age and status), from the middle out.
        ctx.data["lookup_codes"] = [sample_code(k) for k in
                                    sorted({(count // 2 + step * 7919) % count for step in range(64)})]
        # The same status at the start, the middle and the end of the table (a status may have its
        # own parts on the page, e.g. the rating form of a returned dossier).
        ctx.data["lookup_checks"] = {label: returned_code(position) for label, position in
                                     (("first dossier", 0), ("middle", 0.5), ("last dossier", 1))}

    def targets(self, ctx):
        count = ctx.options.get("dossiers", 1_000_000)
        return [Target(f"lookup POST /tim-kiem/, found among {count:,} dossiers",
                       requests=lookup_requests(ctx.data["lookup_codes"]), expect=FOUND, goal={"ratio": 0.4}),
                # The same POST without the page (tracking.views.bench_lookup_floor): CSRF check, rate
                # limit, form, captcha and statement. The page's ratio cannot go above this one's.
                Target("lookup POST without its page (its floor: CSRF, rate limit, form, captcha, query)",
                       requests=lookup_requests(ctx.data["lookup_codes"], path="/bench/lookup-floor/"),
                       expect=b"found ")]

    def query_checks(self, ctx):
        return [QueryCheck("lookup POST (found)", {label: lookup_variant(code)
                                                  for label, code in ctx.data["lookup_checks"].items()})]


SCENARIO = LookupScenario()
