"""What one request to a page costs in this process: CPU and Python function calls, and where they go.

Runs the pages through Django's WSGI handler (as gunicorn calls it, without the server) on the
benchmark's database, after ``bench/run.py`` has loaded it, with the page cache off:

    .venv/bin/python bench/profile_page.py / /thu-tuc/ "/thu-tuc/?q=giay+phep" /thu-tuc/1.001193/
    .venv/bin/python bench/profile_page.py --lookup B00.99.12.H26-261201-0001   # POST /tim-kiem/
    .venv/bin/python bench/profile_page.py --by-template /thu-tuc/               # calls per template line
    .venv/bin/python bench/profile_page.py --functions /thu-tuc/                 # cProfile's cumulative table

The call count does not depend on what else the machine is doing, which the CPU time does (the
figure is the fastest of 7 rounds): compare call counts between two commits on a shared machine,
and time with ``make bench`` on a quiet one. The environment is the bench server's
(``bench/run.py``: ``BENCH_DATABASE_URL``, ``BENCH_CACHE_URL``, the captcha's test mode).
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import BENCH_ONLY_ENV, DEFAULT_CACHE, DEFAULT_DATABASE  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", help="GET paths")
    parser.add_argument("--lookup", metavar="CODE", help="time POST /tim-kiem/ for this dossier code")
    parser.add_argument("--lookup-path", default="/tim-kiem/",
                        help="where --lookup posts (/bench/lookup-floor/: the same POST without its page)")
    parser.add_argument("--requests", type=int, default=140, help="timed requests per path (7 rounds)")
    parser.add_argument("--by-template", action="store_true",
                        help="attribute the calls to the innermost template node (template:line)")
    parser.add_argument("--functions", action="store_true",
                        help="print cProfile's table of the functions with the most cumulative time")
    args = parser.parse_args()
    os.environ.update({
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE),
        "CACHE_URL": os.environ.get("BENCH_CACHE_URL", DEFAULT_CACHE),
        "DJANGO_SETTINGS_MODULE": "portal.settings", "PORTAL_LOCAL": "1", "DEBUG": "0", "PORTAL_BENCH": "1",
        "LOG_LEVEL": "WARNING", "PORTAL_VAR_DIR": str(ROOT / "var" / "bench"), "PAGE_CACHE_SECONDS": "0",
        "CELERY_BROKER_URL": "memory://localhost/", **BENCH_ONLY_ENV,
    })
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    requests = [(path, _get(path)) for path in args.paths]
    if args.lookup:
        requests.append((f"POST {args.lookup_path} {args.lookup}", _lookup_post(args.lookup, args.lookup_path)))
    for label, environ in requests:
        def one(environ=environ, label=label):
            status = []
            body = b"".join(app(environ(), lambda code, headers, exc_info=None: status.append(code)))
            if not status[0].startswith("200"):
                raise SystemExit(f"{label}: {status[0]}")
            return body

        for _ in range(20):  # warm-up: compiled templates, the catalogue's remembered options, connections
            one()
        cpu = _fastest_round(one, args.requests)
        calls = _calls(one, args.by_template)
        print(f"{label}: {cpu:.2f} ms CPU (fastest of 7 rounds), {sum(calls.values()) / 20:,.0f} Python calls a request")
        if args.functions:
            profile = cProfile.Profile()
            profile.runcall(lambda: [one() for _ in range(20)])
            pstats.Stats(profile).sort_stats("cumulative").print_stats(int(os.environ.get("TOP", 25)))
        if args.by_template:
            for where, count in calls.most_common(int(os.environ.get("TOP", 25))):
                print(f"  {count / 20:8,.0f}  {where}")


def _environ(method, path, query="", body=b"", **headers):
    def environ():
        return {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
                "SERVER_PORT": "8765", "HTTP_HOST": "127.0.0.1:8765", "SERVER_PROTOCOL": "HTTP/1.1",
                "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
                "wsgi.errors": sys.stderr, "CONTENT_LENGTH": str(len(body)), **headers}
    return environ


def _get(path):
    parts = urlsplit(path)
    return _environ("GET", parts.path, parts.query)


def _lookup_post(code, path):
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    secret = _get_new_csrf_string()
    body = urlencode({"csrfmiddlewaretoken": _mask_cipher_secret(secret), "code": code,
                      "captcha_0": "x", "captcha_1": "PASSED"}).encode()
    return _environ("POST", path, body=body, CONTENT_TYPE="application/x-www-form-urlencoded",
                    HTTP_COOKIE=f"csrftoken={secret}")


def _fastest_round(one, requests):
    per_round = max(1, requests // 7)
    rounds = []
    for _ in range(7):
        started = time.process_time()
        for _ in range(per_round):
            one()
        rounds.append((time.process_time() - started) / per_round * 1000)
    return min(rounds)


def _calls(one, by_template):
    """Python function calls (and built-in calls) of 20 requests: in all, or by template node."""
    if not by_template:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(20):
            one()
        profile.disable()
        return Counter({"all": sum(entry[1] for entry in pstats.Stats(profile).stats.values())})
    counts = Counter()

    def count(frame, event, arg):
        if event not in ("call", "c_call"):
            return
        while frame is not None:
            code = frame.f_code
            if code.co_name == "render_annotated" and code.co_filename.endswith("django/template/base.py"):
                node = frame.f_locals.get("self")
                origin = getattr(getattr(node, "origin", None), "template_name", "?")
                line = getattr(getattr(node, "token", None), "lineno", "?")
                counts[f"{origin}:{line} {type(node).__name__}"] += 1
                return
            frame = frame.f_back
        counts["outside the templates (middleware, view, queries)"] += 1

    sys.setprofile(count)
    try:
        for _ in range(20):
            one()
    finally:
        sys.setprofile(None)
    return counts


if __name__ == "__main__":
    main()
