"""The back office's dossier list at a million dossiers (issue 12), timed server-side with its query count.

Self-contained (no ``SCENARIO``: ``bench/run.py`` lists it and leaves it to be run on its own,
like the notifications benchmark)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_backoffice \\
        .venv/bin/python bench/scenarios/backoffice.py --dossiers 1000000

It recreates that database, migrates it (so the named indexes of ``dossiers/migrations`` are
the ones measured), loads a year of dossiers in SQL with ``generate_series`` (100 agencies,
50 procedures in 5 sectors, statuses by age as a real year has them: old dossiers mostly
returned, recent ones registered, received, processing, waiting for a supplement; names from
Vietnamese name pools, with their diacritic-free search form), then for a superuser and for an
agency clerk requests every operation of the list through Django's test client in this process
(the whole request: middleware, admin, queries, template), ``--repeat`` times, and prints the
median server time and the number of queries of each. It fails (exit 1) when an operation
takes ``--limit-ms`` (300) or more, the admin index ``--index-limit-ms`` (100) or more, or
when the number of queries of one operation differs between the two users' runs by more than
the filters' own (a clerk's list has one filter query fewer or more, never one per row).
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# Run as a script, its own folder comes first on the path, where bench/scenarios/statistics.py
# would hide the standard library's module: the project's root instead.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(ROOT)

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402

AGENCIES = 100
PROCEDURES = 50
SECTORS = 5
AGENCY_CODE = "C{:02d}.98.12.H26"     # bench-only agencies, never clashing with real codes
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Xuân", "Thu", "Hoài", "Gia"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương", "Khánh",
         "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Ngân", "Phúc", "Phương", "Quân", "Quyên", "Sơn", "Tâm",
         "Thảo", "Thắng", "Trang", "Trung", "Tú", "Tuấn", "Uyên", "Việt", "Yến", "Ánh"]
PASSWORD = "mat-khau-do-hieu-nang-2026"


def setup(database_url):
    os.environ.update({"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "portal.settings",
                       "PORTAL_LOCAL": "1", "DEBUG": "0", "LOG_LEVEL": "WARNING",
                       "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "memory://localhost/"),
                       "PORTAL_VAR_DIR": str(ROOT / "var" / "bench-backoffice"), "PAGE_CACHE_SECONDS": "0"})
    from bench.framework import manage, recreate_database

    print(f"==> database {database_url} (recreated, migrated)")
    recreate_database(database_url)
    manage(dict(os.environ), "migrate", "--noinput", "-v0")
    import django

    django.setup()


def catalogue():
    from procedures.models import Agency, JurisdictionTier, Procedure, Sector

    tier, _created = JurisdictionTier.objects.get_or_create(
        slug="bench-cap-xa", defaults={"name": "Cấp xã (đo hiệu năng)", "submit_label": "Nộp hồ sơ", "order": 90})
    sectors = [Sector.objects.get_or_create(slug=f"bench-linh-vuc-{n}", defaults={"name": f"Lĩnh vực đo {n}"})[0]
               for n in range(SECTORS)]
    agencies = [Agency.objects.get_or_create(
        identifier_code=AGENCY_CODE.format(n),
        defaults={"name": f"UBND phường Đo Hiệu Năng {n:02d}", "tier": tier, "address": "Hà Nội",
                  "opening_hours": "8:00–17:00"})[0] for n in range(AGENCIES)]
    procedures = []
    for n in range(PROCEDURES):
        procedure, _created = Procedure.objects.get_or_create(
            code=f"BENCHBO.{n:04d}", defaults={"name": f"Thủ tục đo hiệu năng số {n:02d} (đăng ký, cấp giấy)",
                                               "sector": sectors[n % SECTORS], "tier": tier, "service_level": 3,
                                               "processing_days": 3 + n % 10})
        procedure.agencies.add(*agencies)
        procedures.append(procedure)
    return agencies, procedures


def generate(count):
    """``count`` dossiers over the last 365 days, in SQL; each with its "registered" history entry."""
    from django.db import connection, transaction

    from dossiers.models import Dossier, DossierEvent
    from procedures.text import search_key

    agencies, procedures = catalogue()
    names = [f"{f} {m} {g}" for f in FAMILY for m in MIDDLE for g in GIVEN]
    keys = [search_key(name) for name in names]
    table, events = Dossier._meta.db_table, DossierEvent._meta.db_table
    # r: a pseudo-random 0–99 per row; age: days before today (0 = today), spread over a year.
    sql = f"""
        WITH g AS (
            SELECT k, ((k * 7919 + 13) %% 100)::int AS r, (k::bigint * 365 / %(count)s)::int AS age FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS s(k)
        ), s AS (
            SELECT k, r, age,
                   CASE
                       WHEN age > 40 THEN CASE WHEN r < 86 THEN 'returned' WHEN r < 90 THEN 'refused'
                                               WHEN r < 92 THEN 'withdrawn' WHEN r < 93 THEN 'stopped'
                                               WHEN r < 95 THEN 'result_ready' ELSE 'processing' END
                       WHEN age > 3 THEN CASE WHEN r < 5 THEN 'registered' WHEN r < 20 THEN 'received'
                                              WHEN r < 55 THEN 'processing' WHEN r < 62 THEN 'supplement_requested'
                                              WHEN r < 75 THEN 'result_ready' WHEN r < 97 THEN 'returned'
                                              ELSE 'refused' END
                       ELSE CASE WHEN r < 45 THEN 'registered' WHEN r < 70 THEN 'received' WHEN r < 90 THEN 'processing'
                                 ELSE 'supplement_requested' END
                   END AS status,
                   now() - make_interval(days => age, mins => (k %% 540)::int) AS submitted
            FROM g
        )
        INSERT INTO {table} (code, procedure_id, agency_id, status, version, language, channel, applicant_type,
                             applicant_name, applicant_search_name, applicant_id_number, applicant_phone,
                             applicant_email, applicant_address, organisation_name, organisation_tax_code,
                             declaration, declaration_schema, submitted_at, received_at, appointment_date,
                             result_ready_at, returned_at, closed_reason, result_note, fee_name, fee_amount,
                             delivery_method, delivery_address, tracking_number)
        SELECT format('C%%s.98.12.H26-%%s-%%s', lpad((k %% {AGENCIES})::text, 2, '0'), to_char(submitted, 'YYMMDD'),
                      lpad((k / {AGENCIES})::text, 6, '0')),
               (%(procedures)s::bigint[])[(k %% {PROCEDURES}) + 1], (%(agencies)s::bigint[])[(k %% {AGENCIES}) + 1],
               status, 1, 'vi', 'online', 'citizen',
               (%(names)s::text[])[(k * 31 %% {len(names)}) + 1], (%(keys)s::text[])[(k * 31 %% {len(names)}) + 1],
               lpad(k::text, 12, '0'), '+8491' || lpad(k::text, 7, '0'), '', 'Số ' || k || ' phố Đo Hiệu Năng',
               '', '', '{{}}', '[]', submitted,
               CASE WHEN status IN ('registered', 'withdrawn') THEN NULL ELSE submitted + interval '1 hour' END,
               CASE WHEN status IN ('registered', 'withdrawn', 'refused') THEN NULL
                    ELSE (submitted + interval '1 hour')::date + (3 + k %% 12)::int END,
               CASE WHEN status IN ('result_ready', 'returned')
                    THEN submitted + make_interval(days => 1 + (r %% 14)) END,
               CASE WHEN status = 'returned' THEN submitted + make_interval(days => 2 + (r %% 14)) END,
               '', '', '', 0, 'in_person', '', ''
        FROM s
    """
    existing = Dossier.objects.filter(code__startswith="C").count()
    started = time.perf_counter()
    params = {"count": count, "procedures": [p.pk for p in procedures], "agencies": [a.pk for a in agencies],
              "names": names, "keys": keys}
    with connection.cursor() as cursor:
        for first in range(existing, count, 200_000):
            last = min(first + 200_000, count) - 1
            with transaction.atomic():
                cursor.execute(sql, {**params, "first": first, "last": last})
                cursor.execute(f"""
                    INSERT INTO {events} (dossier_id, created_at, actor_kind, action, from_status, to_status,
                                          public_note, internal_note, appointment_date)
                    SELECT id, submitted_at, 'citizen', 'register', '', 'registered', '', '', NULL FROM {table} d
                    WHERE d.id > coalesce((SELECT max(dossier_id) FROM {events}), 0)
                """)
            print(f"    {last + 1:,} dossiers ({time.perf_counter() - started:.0f} s)")
        cursor.execute("VACUUM ANALYZE")
    return agencies, procedures


def users(agencies):
    from django.contrib.auth import get_user_model

    from dossiers.roles import AGENCY_LEADER, ensure_groups

    User = get_user_model()
    admin = User.objects.filter(username="bench-admin").first() or User.objects.create_superuser(
        "bench-admin", "admin@example.com", PASSWORD)
    clerk = User.objects.filter(username="bench-clerk").first() or User.objects.create_user(
        "bench-clerk", "clerk@example.com", PASSWORD, is_staff=True)
    # A leader: the one-stop shop's list and actions, and the leader's view too.
    clerk.groups.add(ensure_groups()[AGENCY_LEADER])
    agencies[7].staff.add(clerk)
    return {"superuser": admin, "agency clerk": clerk}


def operations(agencies, procedures, sample):
    """(label, path, query) of every list operation of issue 12, and the pages around the list."""
    base = "/quan-tri/dossiers/dossier/"
    code = sample.code
    return [
        ("admin index (day's work counters)", "/quan-tri/", {}),
        ("first page (the day's work)", base, {}),
        ("every dossier, newest first", base, {"viec": "tat-ca"}),
        ("page 4 of every dossier", base, {"viec": "tat-ca", "p": "4"}),
        ("status filter: processing", base, {"status__exact": "processing"}),
        ("status filter: returned", base, {"status__exact": "returned"}),
        ("status filter: registered", base, {"status__exact": "registered"}),
        ("overdue filter", base, {"han": "overdue"}),
        ("due-soon filter", base, {"han": "due_soon"}),
        ("queue: to receive", base, {"viec": "cho-tiep-nhan"}),
        ("queue: supplemented", base, {"viec": "da-bo-sung"}),
        ("agency filter", base, {"agency__id__exact": str(agencies[7].pk)}),
        ("sector filter", base, {"procedure__sector__id__exact": str(procedures[2].sector_id)}),
        ("procedure filter", base, {"procedure__id__exact": str(procedures[7].pk)}),
        ("received-date range", base, {"received_at__tu_ngay": "2026-11-01", "received_at__den_ngay": "2026-11-15"}),
        ("search: exact code", base, {"q": code}),
        ("search: code prefix (agency and day)", base, {"q": code[: code.rindex("-")]}),
        ("search: name with diacritics", base, {"q": sample.applicant_name}),
        ("search: name without diacritics", base, {"q": sample.applicant_search_name}),
        ("search: common family name", base, {"q": "nguyễn"}),
        ("search: phone 0912 345 678 form", base, {"q": "0" + sample.applicant_phone[3:6] + " " +
                                                        sample.applicant_phone[6:9] + " " + sample.applicant_phone[9:]}),
        ("search: phone +84 form", base, {"q": sample.applicant_phone}),
        ("search: ID number", base, {"q": sample.applicant_id_number}),
        ("sort by appointment date", base, {"viec": "tat-ca", "o": "6"}),
        ("sort by appointment date, descending", base, {"viec": "tat-ca", "o": "-6"}),
        ("leader's view (this month)", base + "tinh-hinh/", {}),
        ("dossier page", f"{base}{sample.pk}/change/", {}),
    ]


def measure(client, path, query, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = path + ("?" + urllib.parse.urlencode(query) if query else "")
    response = client.get(url)  # warm: the first request of a path fills Python's and PostgreSQL's caches
    if response.status_code != 200:
        raise AssertionError(f"{url} answered {response.status_code}")
    times, cpu, sql, counts = [], [], [], set()
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - started_cpu
        if response.status_code != 200:
            raise AssertionError(f"{url} answered {response.status_code}")
        times.append(elapsed)
        cpu.append(elapsed_cpu)
        sql.append(sum(float(query["time"]) for query in captured.captured_queries))
        counts.add(len(captured))
    return (1000 * statistics.median(times), 1000 * statistics.median(cpu), 1000 * statistics.median(sql),
            max(counts))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--limit-ms", type=float, default=300.0)
    parser.add_argument("--index-limit-ms", type=float, default=100.0)
    parser.add_argument("--reuse", action="store_true", help="keep the database of a former run (no reload)")
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_backoffice")
    if args.reuse:
        os.environ.update({"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "portal.settings",
                           "PORTAL_LOCAL": "1", "DEBUG": "0", "PAGE_CACHE_SECONDS": "0",
                           "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "memory://localhost/")})
        import django

        django.setup()
        agencies, procedures = catalogue()
    else:
        setup(database_url)
        print(f"==> loading {args.dossiers:,} dossiers")
        agencies, procedures = generate(args.dossiers)
    from django.test import Client

    from dossiers.models import Dossier

    total = Dossier.objects.count()
    sample = Dossier.objects.filter(agency=agencies[7]).order_by("pk")[
        Dossier.objects.filter(agency=agencies[7]).count() // 2]
    rows, failures = [], []
    for label, user in users(agencies).items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        for name, path, query in operations(agencies, procedures, sample):
            ms, cpu_ms, sql_ms, queries = measure(client, path, query, args.repeat)
            limit = args.index_limit_ms if path == "/quan-tri/" else args.limit_ms
            rows.append((label, name, ms, cpu_ms, sql_ms, queries, limit))
            if ms >= limit:
                failures.append(f"{label}: {name} {ms:.0f} ms (limit {limit:.0f})")
    print(f"\nBack office, {total:,} dossiers, median of {args.repeat} requests in this process: the request's "
          f"wall time, its Python CPU time and the time PostgreSQL took for its queries (load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    print(f"{'user':<14} {'operation':<42} {'wall ms':>8} {'cpu ms':>7} {'sql ms':>7} {'queries':>8}")
    for label, name, ms, cpu_ms, sql_ms, queries, limit in rows:
        print(f"{label:<14} {name:<42} {ms:8.1f} {cpu_ms:7.1f} {sql_ms:7.1f} {queries:8d}"
              f"{'  OVER ' + str(int(limit)) if ms >= limit else ''}")
    by_user = {}
    for label, _name, _ms, _cpu, _sql, queries, _limit in rows:
        by_user.setdefault(label, []).append(queries)
    spread = {label: (min(counts), max(counts)) for label, counts in by_user.items()}
    print(f"queries per list page (min, max) by user: {spread}")
    if failures:
        print("over the limit:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
