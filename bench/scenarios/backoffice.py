"""The back office's dossier list at a million dossiers (issue 12), timed server-side with its query count.

Self-contained (no ``SCENARIO``): ``bench/run.py`` runs it in a subprocess on its own database
after the server timings (``--reuse``: the lookup scenario's dossiers, loaded once for the whole
run) and reads the ``--json`` file it writes. On its own::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_backoffice \\
        .venv/bin/python bench/scenarios/backoffice.py --dossiers 1000000   # --reuse: keep the data

Without ``--reuse`` it recreates that database, migrates it (so the named indexes of
``dossiers/migrations`` are the ones measured) and loads the lookup scenario's year of dossiers
(``bench.scenarios.lookup.generate_dossiers``: 100 agencies of very different sizes, 40
procedures in 5 sectors, the real statuses by age, dates over 365 days, their history). Then
for a superuser and for a clerk (an agency leader) of the largest agency it requests every
operation of the list through Django's test client in this process (the whole request:
middleware, admin, queries, template), ``--repeat`` times, and reports the median wall time,
Python CPU time and SQL time, and the number of queries of each.

Query counts at two data sizes: the same operations are requested once more by a leader of a
small agency (about 25 times fewer dossiers). Where both lists show rows, the two leaders'
query counts must be equal: a count that grows with the data exits with status 1 (and makes
``make bench`` fail). ``--strict`` also fails when an operation takes ``--limit-ms`` (300) or more,
the admin index ``--index-limit-ms`` (100) or more.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# Run as a script, its own folder comes first on the path, where bench/scenarios/statistics.py
# would hide the standard library's module: the project's root instead.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(ROOT)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402
from datetime import timedelta  # noqa: E402

PASSWORD = "mat-khau-do-hieu-nang-2026"
BIG, SMALL = 0, 99  # the lookup generator's largest and one of its smallest agencies


def setup(database_url, *, recreate):
    os.environ.update({"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "portal.settings",
                       "PORTAL_LOCAL": "1", "DEBUG": "0", "LOG_LEVEL": "WARNING",
                       "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "memory://localhost/"),
                       "PORTAL_VAR_DIR": os.environ.get("PORTAL_VAR_DIR", str(ROOT / "var" / "bench-backoffice")),
                       "PAGE_CACHE_SECONDS": "0"})
    if recreate:
        from bench.framework import manage, recreate_database

        print(f"==> database {database_url} (recreated, migrated)")
        recreate_database(database_url)
        manage(dict(os.environ), "migrate", "--noinput", "-v0")
    import django

    django.setup()


def users(agencies):
    """The superuser, a leader of the largest agency and a leader of a small one."""
    from django.contrib.auth import get_user_model

    from dossiers.roles import AGENCY_LEADER, ensure_groups

    User = get_user_model()
    admin = User.objects.filter(username="bench-admin").first() or User.objects.create_superuser(
        "bench-admin", "admin@example.com", PASSWORD)
    result = {"superuser": (admin, agencies[BIG])}
    for label, username, agency in (("agency clerk", "bench-clerk", agencies[BIG]),
                                    ("small agency's clerk", "bench-clerk-small", agencies[SMALL])):
        clerk = User.objects.filter(username=username).first() or User.objects.create_user(
            username, f"{username}@example.com", PASSWORD, is_staff=True)
        # A leader: the one-stop shop's list and actions, and the leader's view too.
        clerk.groups.add(ensure_groups()[AGENCY_LEADER])
        agency.staff.add(clerk)
        result[label] = (clerk, agency)
    return result


def sample_of(agency):
    """A dossier in the middle of ``agency``'s list that has an appointment date (received)."""
    from dossiers.models import Dossier

    dossiers = Dossier.objects.filter(agency=agency, received_at__isnull=False).order_by("pk")
    return dossiers[dossiers.count() // 2]


def operations(agency, procedures, sample):
    """(label, path, query) of every list operation of issue 12, and the pages around the list."""
    from django.utils import timezone

    base = "/quan-tri/dossiers/dossier/"
    code = sample.code
    today = timezone.localdate()
    phone = sample.applicant_phone
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
        ("agency filter", base, {"agency__id__exact": str(agency.pk)}),
        ("sector filter", base, {"procedure__sector__id__exact": str(procedures[2].sector_id)}),
        ("procedure filter", base, {"procedure__id__exact": str(procedures[0].pk)}),
        ("received-date range", base, {"received_at__tu_ngay": f"{today - timedelta(days=30):%Y-%m-%d}",
                                       "received_at__den_ngay": f"{today - timedelta(days=16):%Y-%m-%d}"}),
        ("search: exact code", base, {"q": code}),
        ("search: code prefix (agency and day)", base, {"q": code[: code.rindex("-")]}),
        ("search: name with diacritics", base, {"q": sample.applicant_name}),
        ("search: name without diacritics", base, {"q": sample.applicant_search_name}),
        ("search: common family name", base, {"q": "nguyễn"}),
        ("search: phone 0912 345 678 form", base, {"q": f"0{phone[3:6]} {phone[6:9]} {phone[9:]}"}),
        ("search: phone +84 form", base, {"q": phone}),
        ("search: ID number", base, {"q": sample.applicant_id_number}),
        ("sort by appointment date", base, {"viec": "tat-ca", "o": "6"}),
        ("sort by appointment date, descending", base, {"viec": "tat-ca", "o": "-6"}),
        ("leader's view (this month)", base + "tinh-hinh/", {}),
        ("dossier page", f"{base}{sample.pk}/change/", {}),
    ]


def measure(client, path, query, repeat):
    """Median wall, CPU and SQL ms, the most queries seen, and the rows the list shows (None: not a list).

    None instead when the page does not answer 200 (e.g. page 4 of a list of two pages).
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = path + ("?" + urllib.parse.urlencode(query) if query else "")
    response = client.get(url)  # warm: the first request of a path fills Python's and PostgreSQL's caches
    if response.status_code != 200:
        return None
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
    changelist = (getattr(response, "context_data", None) or {}).get("cl")
    rows = len(changelist.result_list) if changelist is not None else None
    return {"wall_ms": 1000 * statistics.median(times), "cpu_ms": 1000 * statistics.median(cpu),
            "sql_ms": 1000 * statistics.median(sql), "queries": max(counts), "rows": rows}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed requests per operation (median; default 3)")
    parser.add_argument("--limit-ms", type=float, default=300.0)
    parser.add_argument("--index-limit-ms", type=float, default=100.0)
    parser.add_argument("--reuse", action="store_true",
                        help="the database already holds the dossiers (a former run, or bench/run.py's): no reload")
    parser.add_argument("--json", help="also write the figures to this file (bench/run.py reads it)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when an operation is over its limit too")
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_backoffice")
    setup(database_url, recreate=not args.reuse)
    from bench.scenarios.lookup import bench_catalogue, generate_dossiers

    if not args.reuse:
        print(f"==> loading {args.dossiers:,} dossiers")
        generate_dossiers(args.dossiers)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    procedures, agencies = bench_catalogue()
    from django.test import Client

    from dossiers.models import Dossier

    total = Dossier.objects.count()
    rows, failures, sizes = [], [], {}
    for label, (user, agency) in users(agencies).items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        sizes[label] = total if user.is_superuser else Dossier.objects.filter(agency=agency).count()
        # The small agency's leader is there for the query counts: one timed request is enough.
        repeat = 1 if agency.pk == agencies[SMALL].pk else args.repeat
        for name, path, query in operations(agency, procedures, sample_of(agency)):
            figures = measure(client, path, query, repeat)
            limit = args.index_limit_ms if path == "/quan-tri/" else args.limit_ms
            if figures is None:
                if agency.pk != agencies[SMALL].pk:
                    raise AssertionError(f"{label}: {name} did not answer 200")
                continue
            rows.append({"user": label, "operation": name, "limit_ms": limit, **figures})
            if figures["wall_ms"] >= limit and agency.pk != agencies[SMALL].pk:
                failures.append(f"{label}: {name} {figures['wall_ms']:.0f} ms (limit {limit:.0f})")
    # Two data sizes: the same operation costs the two leaders the same number of queries.
    by_operation = {}
    for row in rows:
        if row["user"] != "superuser":
            by_operation.setdefault(row["operation"], {})[row["user"]] = row
    growth = {}
    for name, pair in by_operation.items():
        if len(pair) == 2 and all(row["rows"] is None or row["rows"] > 0 for row in pair.values()):
            growth[name] = {f"{user} ({sizes[user]:,} dossiers)": row["queries"] for user, row in pair.items()}
    grown = [name for name, counts in growth.items() if len(set(counts.values())) != 1]
    print(f"\nBack office, {total:,} dossiers, median of {args.repeat} requests in this process: the request's "
          f"wall time, its Python CPU time and the time PostgreSQL took for its queries (load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    print(f"{'user':<21} {'operation':<42} {'wall ms':>8} {'cpu ms':>7} {'sql ms':>7} {'queries':>8}")
    for row in rows:
        over = row["wall_ms"] >= row["limit_ms"]
        print(f"{row['user']:<21} {row['operation']:<42} {row['wall_ms']:8.1f} {row['cpu_ms']:7.1f} "
              f"{row['sql_ms']:7.1f} {row['queries']:8d}{'  OVER ' + str(int(row['limit_ms'])) if over else ''}")
    print(f"query counts compared at two data sizes ({len(growth)} operations): "
          f"{'all equal' if not grown else 'GROW: ' + ', '.join(grown)}")
    if args.json:
        Path(args.json).write_text(json.dumps({"dossiers": total, "repeat": args.repeat, "sizes": sizes,
                                               "rows": rows, "query_checks": growth,
                                               "load_average": os.getloadavg()[0]}, ensure_ascii=False, indent=1))
    if grown:
        print(f"query counts that grow with the data: {grown}", file=sys.stderr)
        return 1
    if failures and args.strict:
        print("over the limit:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
