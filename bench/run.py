#!/usr/bin/env python
"""Run the benchmarks: ``make bench`` or ``.venv/bin/python bench/run.py --help``.

Steps: recreate the PostgreSQL database ``BENCH_DATABASE_URL``, migrate it, let every
scenario load its data, count each checked page's queries in-process, start gunicorn with
PORTAL_BENCH=1 (which routes the bare view), time the bare view and every scenario's
pages under the same load, run the self-contained notifications benchmark, print the table
and write it to ``bench/results/``.
"""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.framework import (  # noqa: E402
    BARE_PATH,
    ROOT,
    Context,
    Server,
    Target,
    count_queries,
    discover,
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
QUICK = {"duration": 3.0, "dossiers": 20_000, "messages": 200, "changes": 20}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help=f"a run of a couple of minutes: {QUICK['duration']:g} s per page, "
                             f"{QUICK['dossiers']:,} dossiers, {QUICK['messages']} SMS, {QUICK['changes']} status changes "
                             "(options given explicitly win)")
    parser.add_argument("--duration", type=float, default=None,
                        help="seconds of load per page (default 10, BENCH_DURATION)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 2)),
                        help="gunicorn sync workers (default 2)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--procedures", type=int, default=2000, help="procedures in the catalogue (default 2000)")
    parser.add_argument("--dossiers", type=int, default=None,
                        help="dossiers in the lookup scenario's table (default 1,000,000)")
    parser.add_argument("--messages", type=int, default=None,
                        help="SMS in the outbox for the notifications throughput (default 2000)")
    parser.add_argument("--changes", type=int, default=None,
                        help="status changes for the notifications latency (default 200)")
    parser.add_argument("--scenario", action="append",
                        help="run only this scenario (repeatable; 'notifications' is the self-contained one)")
    parser.add_argument("--no-load", action="store_true", help="only count queries (no server, no notifications)")
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else {"duration": float(os.environ.get("BENCH_DURATION", 10)),
                                         "dossiers": 1_000_000, "messages": 2000, "changes": 200}
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.dossiers < 1:
        parser.error("--dossiers must be at least 1")

    if not args.no_load:
        require_wrk()  # refuse before minutes of loading data
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

    # In this process the page cache is off: the query checks count what a page costs to render.
    os.environ.update({**env, "PAGE_CACHE_SECONDS": "0"})
    import django

    django.setup()
    from django.db import connections

    ctx = Context(options=vars(args))
    scenarios = discover(args.scenario)
    for scenario in scenarios:
        print(f"==> preparing {scenario.name}")
        scenario.prepare(ctx)
    # Planner statistics for the freshly loaded tables, and nothing left for autovacuum or the
    # checkpointer to do while pages are timed (after a million inserts they would run then).
    with connections["default"].cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")
    # Pages a former run left in the bench cache belong to another catalogue: a new version forgets them.
    from procedures.pagecache import catalogue_changed

    catalogue_changed()

    queries = {}
    for scenario in scenarios:
        for check in scenario.query_checks(ctx):
            queries[check.name] = count_queries(check)
    connections.close_all()

    loads = []
    if not args.no_load:
        timing = {"duration": args.duration, "concurrency": args.concurrency}
        with Server(env, port=args.port, workers=args.workers) as server:
            bare = run_target(args.port, Target("bare Django view", [BARE_PATH]), server=server, **timing)
            loads.append(bare)
            for scenario in scenarios:
                for target in scenario.targets(ctx):
                    print(f"==> timing {target.name}")
                    loads.append(_relative(run_target(args.port, target, server=server, **timing), bare))
            # Timed again last: how far the machine drifted during the run (other load, autovacuum …).
            again = run_target(args.port, Target("bare Django view, again at the end (drift)", [BARE_PATH]),
                               server=server, **timing)
            loads.append(_relative(again, bare))
        # The same public pages rendered on every request: what a page costs when the cache cannot help
        # (its first visitor after a change, a query string never asked before).
        uncached = [target for scenario in scenarios for target in scenario.targets(ctx) if target.cacheable]
        if uncached:
            with Server({**env, "PAGE_CACHE_SECONDS": "0"}, port=args.port, workers=args.workers) as server:
                for target in uncached:
                    target.name = f"{target.name}, page cache off"
                    print(f"==> timing {target.name}")
                    loads.append(_relative(run_target(args.port, target, server=server, **timing), bare))
    shutil.rmtree(ROOT / "var" / "bench" / "files", ignore_errors=True)  # hundreds of MB of uploads
    extra = {}
    if not args.no_load and (not args.scenario or "notifications" in args.scenario):
        extra["notifications (self-contained: bench/scenarios/notifications.py)"] = notifications(
            args, database_url, bare_rps=loads[0].rps if loads else 0.0)
    meta = {"procedures": args.procedures, "dossiers": args.dossiers, "duration_s": args.duration,
            "concurrency": args.concurrency, "gunicorn_workers": args.workers, "cpus": os.cpu_count(),
            "scenarios": [s.name for s in scenarios] + (["notifications"] if extra else [])}
    print(write_report(meta, loads, queries, extra))
    failed = [name for name, counts in queries.items() if len(set(counts.values())) != 1]
    errors = sum(result.errors for result in loads)
    broken = [name for name, figures in extra.items() if "error" in figures]
    if failed or errors or broken:
        print(f"query counts that vary: {failed}; failed requests: {errors}; failed benchmarks: {broken}",
              file=sys.stderr)
        return 1
    return 0


def _relative(result, bare):
    result.ratio_to_bare = result.rps / bare.rps if bare.rps else 0.0
    return result


def notifications(args, database_url, *, bare_rps):
    """Run the self-contained notifications benchmark (its own database, Celery worker and fake Twilio).

    It is a script of its own (``bench/scenarios/notifications.py``, no ``SCENARIO``): run in a
    subprocess with the bench database server and Redis database 12 as the broker, after the
    gunicorn server stopped so the two do not compete. Its ``key: value`` lines are the figures.
    """
    print(f"==> notifications: {args.messages} SMS through one worker, {args.changes} status changes")
    env = {key: value for key, value in os.environ.items() if key not in BENCH_ONLY_ENV}
    env.update({"DATABASE_URL": database_url, "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER)})
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "scenarios" / "notifications.py"),
         "--messages", str(args.messages), "--changes", str(args.changes)],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=1800)
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


if __name__ == "__main__":
    sys.exit(main())
