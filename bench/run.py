#!/usr/bin/env python
"""Run the benchmarks: ``make bench`` or ``.venv/bin/python bench/run.py --help``.

Steps (bench/README.md says more): recreate the PostgreSQL database ``BENCH_DATABASE_URL``,
migrate it, let every scenario load its data (one year of dossiers, shared by the lookup,
statistics and back-office benchmarks), count each checked page's queries in-process, start
gunicorn with PORTAL_BENCH=1 (which routes the bare view), time the bare view and every
scenario's pages under the same load, a bare request and the filing journeys at concurrency 1
on a server with gunicorn's access log (their server time), the public pages again with the
page cache off, the search again with ``--search-scale`` procedures, then the self-contained
back-office and notifications benchmarks (subprocesses), print the table with issue 12's
targets (met or not) and write it to ``bench/results/``. Exit status 1 when a query count grows
with the data, a request failed or a benchmark broke.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.framework import (  # noqa: E402
    BARE_PATH,
    ROOT,
    Context,
    QueryCheck,
    Server,
    Target,
    count_queries,
    discover,
    judge,
    manage,
    recreate_database,
    require_wrk,
    run_target,
    write_report,
)

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/portal_bench"
DEFAULT_BROKER = "redis://127.0.0.1:6379/12"  # the notifications benchmark's Celery broker
# The production cache configuration: Django's cache on Redis (page cache, rate limits, captcha uses).
DEFAULT_CACHE = "redis://127.0.0.1:6379/11"
# Only on the bench server and in this process, never in production: a machine may answer the
# captcha ("PASSED"), and the rate limits do not stop the load generator (all from 127.0.0.1).
# The filing quotas per address likewise (their counters outlive a run in the bench cache).
BENCH_ONLY_ENV = {"CAPTCHA_TEST_MODE": "1", "SUBMIT_RATE": "100000000/h", "LOOKUP_RATE": "100000000/m",
                  "FILING_DRAFTS_PER_ADDRESS": "100000000/d", "FILING_UPLOAD_MB_PER_ADDRESS": "100000000"}
# The self-contained benchmarks (scripts in bench/scenarios/ without SCENARIO), run in subprocesses.
SELF_CONTAINED = ("backoffice", "notifications")
FULL = {"duration": None, "dossiers": 1_000_000, "messages": 2000, "delayed_messages": 5000, "emails": 2000,
        "changes": 200, "search_scale": 20_000, "backoffice_repeat": 3}
QUICK = {"duration": 3.0, "dossiers": 20_000, "messages": 200, "delayed_messages": 300, "emails": 200,
         "changes": 20, "search_scale": 0, "backoffice_repeat": 1}
# Issue 12's targets for the back office (server time of one request) and the notifications.
BACKOFFICE_MS, ADMIN_INDEX_MS = 300, 100
SMS_DELAYED_PER_S, SMS_INSTANT_PER_S, SMS_P99_MS = 200, 500, 2000
# gunicorn's access log of the concurrency-1 server (time_at_concurrency_1), emptied at each run.
ACCESS_LOG = ROOT / "var" / "bench" / "access-concurrency-1.log"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help=f"a run of a few minutes: {QUICK['duration']:g} s per page, {QUICK['dossiers']:,} "
                             f"dossiers, {QUICK['messages']} + {QUICK['delayed_messages']} SMS, {QUICK['emails']} "
                             f"emails, {QUICK['changes']} status changes, one back-office request per operation, "
                             "no --search-scale (options given explicitly win)")
    parser.add_argument("--duration", type=float, default=None,
                        help="seconds of load per page (default 10, BENCH_DURATION)")
    parser.add_argument("--concurrency", type=int, default=8, help="client connections (default 8)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 2)),
                        help="gunicorn sync workers (default 2)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--procedures", type=int, default=2000, help="procedures in the catalogue (default 2000)")
    parser.add_argument("--search-scale", type=int, default=None,
                        help="after the main timings, add procedures up to this many and time the search again, "
                             "cached and uncached (default 20000; 0: skip)")
    parser.add_argument("--dossiers", type=int, default=None,
                        help="dossiers of the year (lookup, statistics and back office; default 1,000,000)")
    parser.add_argument("--messages", type=int, default=None,
                        help="SMS queued for the throughput with Twilio answering at once (default 2000)")
    parser.add_argument("--delayed-messages", type=int, default=None,
                        help="SMS queued for the throughput with Twilio answering after 150 ms (default 5000)")
    parser.add_argument("--emails", type=int, default=None,
                        help="emails queued for the SMTP throughput (default 2000; 0: skip)")
    parser.add_argument("--changes", type=int, default=None,
                        help="status changes for the notifications latency (default 200)")
    parser.add_argument("--backoffice-repeat", type=int, default=None,
                        help="timed requests per back-office operation, the median reported (default 3)")
    parser.add_argument("--scenario", action="append",
                        help="run only this scenario (repeatable; 'backoffice' and 'notifications' name the "
                             "self-contained ones)")
    parser.add_argument("--no-load", action="store_true",
                        help="only count queries (no server, no back-office or notifications benchmarks)")
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else {**FULL, "duration": float(os.environ.get("BENCH_DURATION", 10))}
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.dossiers < 1:
        parser.error("--dossiers must be at least 1")
    wanted = set(args.scenario or [])
    run_backoffice = not args.no_load and (not wanted or "backoffice" in wanted)
    run_notifications = not args.no_load and (not wanted or "notifications" in wanted)

    if not args.no_load:
        require_wrk()  # refuse before minutes of loading data
    started = time.monotonic()
    steps = {}  # where the minutes go: step -> seconds
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    cache_url = os.environ.get("BENCH_CACHE_URL", DEFAULT_CACHE)
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "portal.settings",
           "PORTAL_LOCAL": "1", "DEBUG": "0", "PORTAL_BENCH": "1", "LOG_LEVEL": "WARNING",
           "PORTAL_VAR_DIR": str(ROOT / "var" / "bench"), "CACHE_URL": cache_url, "PAGE_CACHE_SECONDS": "600",
           # Submissions queue their notifications (as in production) in memory, where nothing sends them.
           "CELERY_BROKER_URL": "memory://localhost/", **BENCH_ONLY_ENV}
    print(f"==> database {database_url} (recreated)")
    recreate_database(database_url)
    shutil.rmtree(ROOT / "var" / "bench" / "files", ignore_errors=True)  # the filing scenario's uploads
    # --run-syncdb also builds tables of apps without migrations, so this works before and after
    # the migrations are generated.
    manage(env, "migrate", "--run-syncdb", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")  # WhiteNoise serves them, as in production
    steps["database, migrations, static files"] = time.monotonic() - started

    # In this process the page cache is off: the query checks count what a page costs to render.
    os.environ.update({**env, "PAGE_CACHE_SECONDS": "0"})
    import django

    django.setup()
    from django.db import connections

    ctx = Context(options=vars(args))
    framework_wanted = sorted(wanted - set(SELF_CONTAINED))
    # Only self-contained ones asked for: no framework scenario (their data is loaded below if needed).
    scenarios = [] if wanted and not framework_wanted else discover(framework_wanted or None)
    for scenario in scenarios:
        mark = time.monotonic()
        print(f"==> preparing {scenario.name}")
        scenario.prepare(ctx)
        steps[f"data: {scenario.name}"] = time.monotonic() - mark
    if run_backoffice and "lookup" not in [s.name for s in scenarios]:
        # The back office reads the lookup scenario's year of dossiers: loaded once for the whole run.
        from bench.scenarios.lookup import generate_dossiers

        mark = time.monotonic()
        generate_dossiers(args.dossiers)
        steps["data: the year of dossiers (for the back office)"] = time.monotonic() - mark
    # Planner statistics for the freshly loaded tables, and nothing left for autovacuum or the
    # checkpointer to do while pages are timed (after a million inserts they would run then).
    mark = time.monotonic()
    with connections["default"].cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")
    steps["VACUUM ANALYZE, CHECKPOINT"] = time.monotonic() - mark
    # Pages a former run left in the bench cache belong to another catalogue: a new version forgets them.
    from procedures.pagecache import catalogue_changed

    catalogue_changed()

    mark = time.monotonic()
    queries, query_targets, statement_ms = {}, {}, {}
    for scenario in scenarios:
        for check in scenario.query_checks(ctx):
            queries[check.name] = count_queries(check, statement_ms.setdefault(check.name, {}))
            if check.max_queries:
                query_targets[check.name] = check.max_queries
    connections.close_all()
    steps["query counts"] = time.monotonic() - mark

    loads = []
    if not args.no_load:
        mark = time.monotonic()
        loads = time_pages(args, env, ctx, scenarios)
        steps["pages under load (cached, then uncached)"] = time.monotonic() - mark
        if args.search_scale > args.procedures and "catalogue" in [s.name for s in scenarios]:
            mark = time.monotonic()
            loads += search_at_scale(args, env, queries)
            connections.close_all()
            steps[f"search with {args.search_scale:,} procedures (load, time)"] = time.monotonic() - mark
    shutil.rmtree(ROOT / "var" / "bench" / "files", ignore_errors=True)  # hundreds of MB of uploads

    extra, sections = {}, []
    bare_rps = loads[0].rps if loads else 0.0
    if run_backoffice:
        mark = time.monotonic()
        figures, section, checks = backoffice(args, database_url)
        extra["back office (self-contained: bench/scenarios/backoffice.py)"] = figures
        sections += [section] if section else []
        queries.update(checks)
        steps["back office"] = time.monotonic() - mark
    if run_notifications:
        mark = time.monotonic()
        runs = [("SMS, Twilio answers after 150 ms", ["--messages", args.delayed_messages, "--twilio-delay-ms", 150]),
                ("SMS, Twilio answers at once", ["--messages", args.messages])]
        if args.emails:
            runs.append(("email through the worker's SMTP connection", ["--messages", args.emails,
                                                                         "--channel", "email"]))
        rows = []
        for label, options in runs:
            figures = notifications(label, [*map(str, options), "--changes", str(args.changes)], database_url,
                                    bare_rps=bare_rps)
            extra[f"notifications: {label} (bench/scenarios/notifications.py)"] = figures
            rows.append(notification_row(label, figures))
        sections.append(("Notifications (one Celery worker, bench/scenarios/notifications.py)",
                         ["run", "queued", "per s", "status change → request p50 / p99 ms (idle)",
                          "while the backlog drains p50 / p99 ms", "target", ""], rows))
        steps["notifications"] = time.monotonic() - mark
    steps["total"] = time.monotonic() - started
    sections.append(("Where the minutes went", ["step", "minutes"],
                     [[step, f"{seconds / 60:.1f}"] for step, seconds in steps.items()]))
    meta = {"procedures": args.procedures, "search_scale": args.search_scale, "dossiers": args.dossiers,
            "duration_s": args.duration, "concurrency": args.concurrency, "gunicorn_workers": args.workers,
            "cpus": os.cpu_count(), "load_average_at_end": round(os.getloadavg()[0], 1),
            "scenarios": [s.name for s in scenarios] + [name for name, on in
                                                        (("backoffice", run_backoffice),
                                                         ("notifications", run_notifications)) if on]}
    print(write_report(meta, loads, queries, extra, sections=sections, query_targets=query_targets,
                       statement_ms=statement_ms))
    failed = [name for name, counts in queries.items() if len(set(counts.values())) != 1]
    errors = sum(result.errors for result in loads)
    broken = [name for name, figures in extra.items() if "error" in figures]
    if failed or errors or broken:
        print(f"query counts that vary: {failed}; failed requests: {errors}; failed benchmarks: {broken}",
              file=sys.stderr)
        return 1
    return 0


def time_pages(args, env, ctx, scenarios):
    """The bare view, every scenario's targets, the drift row; the server-timed targets at concurrency 1
    on a server of their own; then the cacheable ones uncached."""
    timing = {"duration": args.duration, "concurrency": args.concurrency}
    loads = []
    targets = [target for scenario in scenarios for target in scenario.targets(ctx)]
    with Server(env, port=args.port, workers=args.workers) as server:
        bare = run_target(args.port, Target("bare Django view", [BARE_PATH]), server=server, **timing)
        loads.append(bare)
        for target in targets:
            if target.server_time:
                continue  # timed below, with the access log
            print(f"==> timing {target.name}")
            result = _relative(run_target(args.port, target, server=server, **timing), bare)
            loads.append(judge(result, target.goal))
        # Timed again last: how far the machine drifted during the run (other load, autovacuum …).
        again = run_target(args.port, Target("bare Django view, again at the end (drift)", [BARE_PATH]),
                           server=server, **timing)
        loads.append(_relative(again, bare))
    server_timed = [target for target in targets if target.server_time]
    if server_timed:
        loads += time_at_concurrency_1(args, env, server_timed, bare)
    # The same public pages rendered on every request: what a page costs when the cache cannot help
    # (its first visitor after a change, a query string never asked before).
    uncached = [target for scenario in scenarios for target in scenario.targets(ctx) if target.cacheable]
    if uncached:
        with Server({**env, "PAGE_CACHE_SECONDS": "0"}, port=args.port, workers=args.workers) as server:
            for target in uncached:
                target.name = f"{target.name}, page cache off"
                print(f"==> timing {target.name}")
                result = _relative(run_target(args.port, target, server=server, **timing), bare)
                loads.append(judge(result, target.goal, uncached=True))
    return loads


def time_at_concurrency_1(args, env, targets, bare):
    """A bare request and ``targets`` at concurrency 1, each with its server time from gunicorn's access log.

    Issue 12 compares the confirm POST's server time with a bare request's. The journeys' client
    (Python) adds a millisecond or more a request that wrk does not, so both are timed by the
    server itself: gunicorn's ``%(D)s``, from before the WSGI call until the response is written.
    A server of its own, because the access log costs the workers CPU (a line a request) and
    would change the ratios of every other row; this one's rows include that cost.
    """
    timing = {"duration": args.duration, "concurrency": 1}
    loads = []
    with Server(env, port=args.port, workers=args.workers, access_log=ACCESS_LOG) as server:
        # wrk -c1 -t1; its own p50 stays in the row, the server's below it.
        bare_c1 = _relative(run_target(args.port, Target("bare Django view, concurrency 1", [BARE_PATH],
                                                         server_time={"bare request": f"GET {BARE_PATH}"}),
                                       server=server, **timing), bare)
        loads.append(bare_c1)
        bare_c1_server_ms = bare_c1.server_parts["bare request"]["p50_ms"]
        for target in targets:
            print(f"==> timing {target.name} (server time, access log)")
            result = _relative(run_target(args.port, target, server=server, **timing), bare)
            loads.append(judge(result, target.goal, bare_c1_server_ms=bare_c1_server_ms))
    return loads


def search_at_scale(args, env, queries):
    """Procedures up to ``--search-scale``, then the search timed again (its own bare view), cached and not."""
    from django.db import connection

    from bench.scenarios.catalogue import add_procedures, search_paths
    from procedures.pagecache import catalogue_changed

    print(f"==> adding procedures up to {args.search_scale:,} (the search target's catalogue)")
    add_procedures(args.search_scale)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE procedures_procedure")
    catalogue_changed()
    scale = f"{args.search_scale:,} procedures"
    queries[f"catalogue search, {scale}"] = count_queries(QueryCheck("search", {
        "1 result": "/thu-tuc/?q=1.001193", f"20 of {scale}": "/thu-tuc/?q=",
        "“giấy phép”": "/thu-tuc/?q=giay+phep", "page 50": "/thu-tuc/?q=&trang=50"}))
    connection.close()
    goal = {"ratio": 0.3, "uncached_cpu_ms": 5.0}
    timing = {"duration": args.duration, "concurrency": args.concurrency}
    loads = []
    with Server(env, port=args.port, workers=args.workers) as server:
        bare = run_target(args.port, Target(f"bare Django view ({scale} run)", [BARE_PATH]), server=server, **timing)
        loads.append(bare)
        target = Target(f"catalogue search /thu-tuc/?q=…, {scale}", search_paths(), cacheable=True, goal=goal)
        print(f"==> timing {target.name}")
        loads.append(judge(_relative(run_target(args.port, target, server=server, **timing), bare), goal))
    with Server({**env, "PAGE_CACHE_SECONDS": "0"}, port=args.port, workers=args.workers) as server:
        target = Target(f"catalogue search /thu-tuc/?q=…, {scale}, page cache off", search_paths(),
                        cacheable=True, goal=goal)
        print(f"==> timing {target.name}")
        loads.append(judge(_relative(run_target(args.port, target, server=server, **timing), bare), goal,
                           uncached=True))
    return loads


def _relative(result, bare):
    result.ratio_to_bare = result.rps / bare.rps if bare.rps else 0.0
    return result


def _subprocess_env(database_url):
    env = {key: value for key, value in os.environ.items() if key not in BENCH_ONLY_ENV}
    env.update({"DATABASE_URL": database_url, "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER)})
    return env


def backoffice(args, database_url):
    """Run ``bench/scenarios/backoffice.py --reuse`` on the bench database (the year of dossiers loaded above).

    Returns the raw figures, the table section (every operation for the superuser and the clerk,
    with its target) and the query checks at two data sizes (a count that grows fails the run).
    """
    print(f"==> back office: every list operation, superuser and clerks, median of {args.backoffice_repeat}")
    env = {**_subprocess_env(database_url), "CELERY_BROKER_URL": "memory://localhost/", "PAGE_CACHE_SECONDS": "0",
           "PORTAL_VAR_DIR": str(ROOT / "var" / "bench")}
    with tempfile.TemporaryDirectory() as directory:
        output = Path(directory) / "backoffice.json"
        completed = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "scenarios" / "backoffice.py"), "--reuse",
             "--repeat", str(args.backoffice_repeat), "--json", str(output),
             "--limit-ms", str(BACKOFFICE_MS), "--index-limit-ms", str(ADMIN_INDEX_MS)],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=3600)
        if not output.exists():
            print(completed.stdout[-3000:], completed.stderr[-3000:], file=sys.stderr)
            return {"error": f"exit status {completed.returncode} (output above)"}, None, {}
        data = json.loads(output.read_text())
    by_operation = {}
    for row in data["rows"]:
        by_operation.setdefault(row["operation"], {})[row["user"]] = row
    rows = []
    for operation, users in by_operation.items():
        cells = [operation]
        for user in ("superuser", "agency clerk"):
            row = users.get(user)
            if row is None:
                cells += ["", ""]
                continue
            cells.append(f"{row['wall_ms']:.0f} / {row['cpu_ms']:.0f} / {row['sql_ms']:.0f}, {row['queries']}")
            cells.append("met" if row["wall_ms"] < row["limit_ms"] else "not met")
        limit = next(iter(users.values()))["limit_ms"]
        rows.append([cells[0], f"<{limit:.0f} ms", *cells[1:]])
    sizes = data["sizes"]
    title = (f"Back office, {data['dossiers']:,} dossiers (superuser; clerk of the largest agency: "
             f"{sizes.get('agency clerk', 0):,}), median of {data['repeat']} requests in-process, load average "
             f"{data['load_average']:.1f}")
    section = (title, ["operation", "target", "superuser: wall / CPU / SQL ms, queries", "",
                       "agency clerk: wall / CPU / SQL ms, queries", ""], rows)
    checks = {f"back office: {name} (two agency sizes)": counts for name, counts in data["query_checks"].items()}
    figures = {"returncode": completed.returncode, "dossiers": data["dossiers"], "sizes": sizes}
    if completed.returncode not in (0, 1):
        figures["error"] = f"exit status {completed.returncode}"
    return figures, section, checks


def notifications(label, options, database_url, *, bare_rps):
    """Run the self-contained notifications benchmark (its own database, Celery worker and fake Twilio).

    It is a script of its own (``bench/scenarios/notifications.py``, no ``SCENARIO``): run in a
    subprocess with the bench database server and ``BENCH_BROKER_URL`` as the broker, after the
    gunicorn server stopped so the two do not compete. Its ``key: value`` lines are the figures.
    """
    print(f"==> notifications: {label} ({' '.join(options)})")
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "scenarios" / "notifications.py"), *options],
        env=_subprocess_env(database_url), cwd=ROOT, capture_output=True, text=True, timeout=1800)
    if completed.returncode != 0:
        print(completed.stdout[-3000:], completed.stderr[-3000:], file=sys.stderr)
        return {"error": f"exit status {completed.returncode} (output above)"}
    figures = {}
    for line in completed.stdout.splitlines():
        key, separator, value = line.partition(": ")
        if separator and key.strip() and " " not in key.strip():
            figures[key.strip()] = value.strip()
    throughput = float(figures.get("throughput_msgs_per_s", 0) or 0)
    if bare_rps:
        figures["throughput × bare view (messages/s ÷ bare requests/s)"] = f"{throughput / bare_rps:.4f}"
    return figures


def notification_row(label, figures):
    if "error" in figures:
        return [label, "", "", "", "", "", figures["error"]]
    rate = float(figures.get("throughput_msgs_per_s") or 0)
    backlog_p99 = figures.get("backlog_latency_ms_p99")
    backlog = (f"{figures.get('backlog_latency_ms_median')} / {backlog_p99}"
               if backlog_p99 not in (None, "None") else "")
    if figures.get("channel") == "email":
        target, met = "(issue 12: likewise, reused connection)", ""
    elif figures.get("twilio_delay_ms") not in (None, "0"):
        target = f"≥{SMS_DELAYED_PER_S}/s; p99 <{SMS_P99_MS / 1000:g} s while queued"
        ok = rate >= SMS_DELAYED_PER_S
        if backlog_p99 in (None, "None"):  # the backlog drained before a status change was made
            target += " (p99 not measured: too few queued)"
        else:
            ok = ok and float(backlog_p99) < SMS_P99_MS
        met = "met" if ok else "not met"
    else:
        target, met = f"≥{SMS_INSTANT_PER_S}/s", "met" if rate >= SMS_INSTANT_PER_S else "not met"
    return [label, figures.get("messages", ""), f"{rate:.1f}",
            f"{figures.get('latency_ms_median')} / {figures.get('latency_ms_p99')}", backlog, target, met]


if __name__ == "__main__":
    sys.exit(main())
