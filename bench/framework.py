"""A small benchmark framework: a fresh PostgreSQL database, a real gunicorn server, a load generator.

A *scenario* (one module in ``bench/scenarios/``, found automatically) loads its data with
the ORM, names the pages to time (``Target``) and the pages whose query count must not
depend on the data (``QueryCheck``). ``bench/run.py`` runs every scenario against the same
server and reports each page's requests per second as a ratio to a bare Django view timed
in the same run, so the figures compare across machines. See ``bench/README.md``.
"""

import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
BARE_PATH = "/bench/bare/"
# gunicorn's access log line when a Server has one: method, path, status, microseconds from
# before the WSGI call until the response is written (``Server.server_times`` reads it).
ACCESS_LOG_FORMAT = "%(m)s %(U)s %(s)s %(D)s"


@dataclass
class Target:
    """A page to time.

    ``paths``: GET requests, cycled through by wrk. ``requests(port)`` instead: called once before
    the clock starts, returns the requests wrk cycles through, each a dict ``{"method", "path",
    "headers", "body"}`` (a POST with a CSRF cookie fetched once, say). ``expect``: bytes every
    answer must contain, or it counts as an error. ``cacheable``: a public page the page cache
    may serve; it is timed on the production cache and again with the page cache off, to show
    the cost of a render.

    A sequence of requests with a browser's state (a new session each time, redirects, tokens
    read from the pages) gives ``session`` instead, driven by the Python client threads:
    ``session(port)`` is called once per client thread, before the clock starts, and returns
    ``step``; the load generator times ``step()`` calls. ``step()`` returns ``True`` on success
    (``False`` or an exception counts as an error) or, to time parts of it too, a dict ``{part
    name: seconds}``. One ``step()`` may be several requests: say so in ``name``. Those parts are
    the client's clock; ``server_time`` (``{part name: "METHOD /path/"}``) asks for the same parts
    as the server timed them, read from gunicorn's access log: such a target is timed on a server
    of its own with the access log on (``bench/run.py``), at concurrency 1.
    """

    name: str
    paths: list = field(default_factory=list)
    session: object = None
    requests: object = None
    expect: bytes = b""
    cacheable: bool = False
    concurrency: int = 0  # 0: the run's --concurrency
    # Issue 12's target for the page, judged in the report: {"ratio": 0.5} at least that × the bare
    # view; {"uncached_cpu_ms": 5} at most that worker CPU per request with the page cache off;
    # {"cpu_ms": 5}; {"part_x_bare": ("confirm POST", 10)} that part's server time p50 (from
    # ``server_time``) at most 10× a bare request's server time p50, both at concurrency 1.
    goal: dict = None
    server_time: dict = None


@dataclass
class QueryCheck:
    """Pages that must cost the same number of queries whatever data they show (label -> path)."""

    name: str
    variants: dict
    max_queries: int = 0  # issue 12's target (0: none), judged in the report


@dataclass
class Context:
    """What scenarios share: the run's options and anything a scenario wants to leave for another."""

    options: dict
    data: dict = field(default_factory=dict)


class Scenario:
    """Subclass this in ``bench/scenarios/<name>.py`` and assign an instance to ``SCENARIO``."""

    name = ""

    def prepare(self, ctx):
        """Load the scenario's data through the ORM (Django is set up on the benchmark database)."""

    def targets(self, ctx):
        return []

    def query_checks(self, ctx):
        return []


def discover(only=None):
    """Every ``SCENARIO`` of ``bench/scenarios/*.py`` (files starting with ``_`` are skipped), by name."""
    import importlib

    scenarios = []
    for path in sorted((ROOT / "bench" / "scenarios").glob("*.py")):
        if path.name.startswith("_"):
            continue
        module = importlib.import_module(f"bench.scenarios.{path.stem}")
        scenario = getattr(module, "SCENARIO", None)
        if scenario is None:
            # A self-contained benchmark script not (yet) written for the framework: run it on its own.
            print(f"    bench/scenarios/{path.name}: no SCENARIO, a self-contained script (not a framework scenario)")
            continue
        if not only or scenario.name in only:
            scenarios.append(scenario)
    return scenarios


# --- The database and the server -------------------------------------------------------------

def recreate_database(url):
    """Drop and create the database of ``url`` (PostgreSQL), connecting to the server's ``postgres`` DB."""
    import psycopg2

    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise ValueError(f"unexpected database name {name!r}")
    connection = psycopg2.connect(host=parsed.hostname or "127.0.0.1", port=parsed.port or 5432,
                                  user=parsed.username or "postgres", password=parsed.password or None,
                                  dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def manage(env, *args):
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True)


@dataclass
class Reading:
    """What a timed run reads from the server when its clock starts and when it stops."""

    cpu_seconds: float
    access_log_bytes: int = 0


class Server:
    """gunicorn with a fixed number of sync workers, on a local port.

    ``access_log``: a file for gunicorn's access log (emptied first), from which ``server_times``
    reads how long the server took over each request. Off by default: writing a line a request
    costs the workers CPU, which would change every ratio to the bare view.
    """

    def __init__(self, env, *, port, workers, access_log=None):
        self.env, self.port, self.workers, self.access_log = env, port, workers, access_log
        self.process = None

    def __enter__(self):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        access_log_options = []
        if self.access_log is not None:
            self.access_log.parent.mkdir(parents=True, exist_ok=True)
            self.access_log.write_bytes(b"")  # only this run's requests
            access_log_options = ["--access-logfile", str(self.access_log), "--access-logformat", ACCESS_LOG_FORMAT]
        self.process = subprocess.Popen(
            [str(gunicorn), "portal.wsgi:application", "--config", str(ROOT / "bench" / "gunicorn.conf.py"),
             "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--worker-class", "sync", "--log-level", "warning", *access_log_options],
            env=self.env, cwd=ROOT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                status, _ = request_once(self.port, BARE_PATH)
                if status == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("gunicorn did not answer on the bare view within 30 s (is PORTAL_BENCH=1 routed?)")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)

    def worker_cpu_seconds(self):
        """User + system CPU time of the gunicorn workers so far (from ``/proc``; the master is idle)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in _children(self.process.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # a worker that just exited
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        return total / ticks

    def reading(self):
        access_log_bytes = self.access_log.stat().st_size if self.access_log is not None else 0
        return Reading(self.worker_cpu_seconds(), access_log_bytes)

    def server_times(self, first, last, requests):
        """Each part's server time between two readings, from the access log: {part: {"p50_ms", "p95_ms",
        "requests"}}. ``requests``: {part: "METHOD /path/"}, the request whose log lines time the part.
        """
        with self.access_log.open("rb") as log:
            log.seek(first.access_log_bytes)
            window = log.read(last.access_log_bytes - first.access_log_bytes).decode("utf-8", "replace")
        seconds = {}
        # The last piece has no newline yet (a line being written when the clock stopped): left out.
        for line in window.split("\n")[:-1]:
            fields = line.split(" ")  # ACCESS_LOG_FORMAT
            if len(fields) == 4 and fields[3].isdigit():
                method, path, _status, microseconds = fields
                seconds.setdefault(f"{method} {path}", []).append(int(microseconds) / 1e6)
        times = {}
        for part, request in requests.items():
            values = seconds.get(request, [])
            times[part] = {"p50_ms": _percentile_ms(values, 0.5), "p95_ms": _percentile_ms(values, 0.95),
                           "requests": len(values)}
        return times


def _children(pid):
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    children.append(int(stat.parent.name))
            except (OSError, ValueError, IndexError):
                continue
        return children


def request_once(port, path, connection=None):
    """GET ``path``; returns (status, connection to reuse or None when the server closed it)."""
    connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Host": "127.0.0.1"})
    response = connection.getresponse()
    response.read()
    if response.will_close:
        connection.close()
        connection = None
    return response.status, connection


class Browser:
    """A minimal HTTP client with a cookie jar, for pages that need a session and the CSRF token.

    Redirects are not followed: ``request`` returns (status, headers, body) and the caller
    checks the ``Location`` it expects. gunicorn's sync workers close every connection, so a
    new one is opened whenever the server closed the last.
    """

    def __init__(self, port):
        self.port, self.cookies, self.connection = port, {}, None

    def request(self, method, path, *, data=None, files=None, headers=None):
        headers = {"Host": "127.0.0.1", **(headers or {})}
        body = None
        if files:
            body, content_type = multipart(data or {}, files)
            headers["Content-Type"] = content_type
        elif data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        if method == "POST":
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        connection = self.connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        except OSError:
            connection.close()
            self.connection = None
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in header.lower() or not value.strip('"'):
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        if response.will_close:
            connection.close()
            self.connection = None
        else:
            self.connection = connection
        return response.status, response.headers, content

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data, **kwargs):
        """POST a form, adding the CSRF token from the cookie (Django accepts the unmasked secret)."""
        return self.request("POST", path, data={"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data},
                            **kwargs)

    def forget(self, *names):
        for name in names:
            self.cookies.pop(name, None)


def multipart(data, files):
    """``multipart/form-data`` body and content type: ``files`` maps a field to [(filename, bytes, type)]."""
    boundary = "----bench" + "0123456789abcdef" * 2
    parts = []
    for key, values in data.items():
        for value in values if isinstance(values, list | tuple) else [values]:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    for key, items in files.items():
        for filename, content, content_type in items:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{filename}"\r\n'
                         f"Content-Type: {content_type}\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def find(pattern, content):
    """The first group of ``pattern`` in an HTML page (bytes), or an AssertionError naming what is missing."""
    match = re.search(pattern, content.decode("utf-8", "replace"))
    if match is None:
        raise AssertionError(f"not in the page: {pattern}")
    return match.group(1)


# --- Load ---------------------------------------------------------------------------------------

@dataclass
class LoadResult:
    name: str
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    ratio_to_bare: float = 1.0
    parts: dict = field(default_factory=dict)
    p99_ms: float = 0.0
    cpu_ms: float = 0.0  # gunicorn workers' CPU time per request
    tool: str = "python"
    # Parts timed by the server (``Target.server_time``), beside ``parts`` as the client timed them.
    server_parts: dict = field(default_factory=dict)
    target: str = ""  # issue 12's target for this row, e.g. "≥0.5× bare"
    met: str = ""     # "met", "not met" or "" (no target)


def judge(result, goal, *, uncached=False, bare_c1_server_ms=None):
    """Set ``result.target`` and ``result.met`` from a ``Target.goal`` (see there).

    ``bare_c1_server_ms``: a bare request's server time p50 at concurrency 1, from the same server.
    """
    goal = goal or {}
    checks = []
    if uncached:
        if "uncached_cpu_ms" in goal:
            checks.append((f"≤{goal['uncached_cpu_ms']:g} ms CPU", result.cpu_ms <= goal["uncached_cpu_ms"]))
    else:
        if "ratio" in goal:
            checks.append((f"≥{goal['ratio']:g}× bare", result.ratio_to_bare >= goal["ratio"]))
        if "cpu_ms" in goal:
            checks.append((f"≤{goal['cpu_ms']:g} ms CPU", result.cpu_ms <= goal["cpu_ms"]))
        if "part_x_bare" in goal:
            part, times = goal["part_x_bare"]
            p50 = result.server_parts.get(part, {}).get("p50_ms")
            ok = bool(p50 and bare_c1_server_ms and p50 <= times * bare_c1_server_ms)
            checks.append((f"{part} server p50 ≤{times:g}× bare server p50 (concurrency 1)", ok))
    result.target = "; ".join(text for text, _ok in checks)
    result.met = ("met" if all(ok for _text, ok in checks) else "not met") if checks else ""
    return result


def run_target(port, target, *, duration, concurrency, server=None):
    """Time ``target``: with wrk when it is a list of requests, else with the Python client threads.

    ``server``: the ``Server``, read when the clock starts and stops (worker CPU, access log).
    """
    concurrency = target.concurrency or concurrency
    if target.server_time and (server is None or server.access_log is None):
        raise ValueError(f"{target.name}: server_time needs a Server with an access log")
    if target.cacheable:
        for path in target.paths:  # each page once, so a short run times the cache, not its first visits
            request_once(port, path)
    if target.session is not None:
        return load(port, target, duration=duration, concurrency=concurrency, server=server)
    return wrk_load(port, target, duration=duration, concurrency=concurrency, server=server)


def _server_figures(result, target, server, first, last):
    """The worker CPU per request and ``target.server_time``'s parts between two readings of ``server``."""
    if server is None or first is None or last is None or not result.requests:
        return result
    result.cpu_ms = 1000 * (last.cpu_seconds - first.cpu_seconds) / result.requests
    if target.server_time:
        result.server_parts = server.server_times(first, last, target.server_time)
    return result


def load(port, target, *, duration, concurrency, warmup=1.0, server=None):
    """Drive ``target`` with ``concurrency`` client threads for ``duration`` seconds (after a warm-up).

    ``server``: read when the clock starts and stops (``Server.reading``).
    """
    latencies, errors, lock = [], [0], threading.Lock()
    parts, failures = {}, []
    start_at = time.monotonic() + warmup
    stop_at = start_at + duration
    readings = {}

    def read_server(at):
        time.sleep(max(0.0, at - time.monotonic()))
        readings[at] = server.reading()

    reading_threads = [threading.Thread(target=read_server, args=(at,)) for at in (start_at, stop_at)] if server else []
    for thread in reading_threads:
        thread.start()

    def client(offset):
        connection, index, mine, my_errors, my_parts = None, offset, [], 0, {}
        step = None
        if target.session is not None:
            try:
                step = target.session(port)
            except Exception as error:  # noqa: BLE001 (reported, the run fails)
                with lock:
                    errors[0] += 1
                    failures.append(f"session setup: {error!r}")
                return
        while True:
            now = time.monotonic()
            if now >= stop_at:
                break
            if step is None:
                path = target.paths[index % len(target.paths)]
                index += concurrency
                try:
                    status, connection = request_once(port, path, connection)
                except OSError:
                    status, connection = 0, None
                ok, timed = status == 200, None
            else:
                try:
                    outcome = step()
                    ok, timed = bool(outcome), outcome if isinstance(outcome, dict) else None
                except Exception as error:  # noqa: BLE001 (counted as an error; the first few are printed)
                    ok, timed = False, None
                    if len(failures) < 5:
                        failures.append(repr(error))
            done = time.monotonic()
            if now >= start_at:
                mine.append(done - now)
                my_errors += not ok
                for part, seconds in (timed or {}).items():
                    my_parts.setdefault(part, []).append(seconds)
        with lock:
            latencies.extend(mine)
            errors[0] += my_errors
            for part, values in my_parts.items():
                parts.setdefault(part, []).extend(values)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads + reading_threads:
        thread.join()
    for failure in failures:
        print(f"    {target.name}: {failure}", file=sys.stderr)
    result = LoadResult(
        name=target.name, requests=len(latencies), errors=errors[0], seconds=duration,
        rps=len(latencies) / duration, p50_ms=_percentile_ms(latencies, 0.5), p95_ms=_percentile_ms(latencies, 0.95),
        p99_ms=_percentile_ms(latencies, 0.99),
        parts={part: {"p50_ms": _percentile_ms(values, 0.5), "p95_ms": _percentile_ms(values, 0.95)}
               for part, values in parts.items()},
    )
    return _server_figures(result, target, server, readings.get(start_at), readings.get(stop_at))


# wrk's Lua script: cycle through the requests, check each answer when asked, report JSON at the end.
_WRK_SCRIPT = r"""
local requests, expect = {}, os.getenv("BENCH_EXPECT") or ""
local threads = {}
local spec = io.open(os.getenv("BENCH_REQUESTS")):read("*a")
for line in spec:gmatch("[^\n]+") do
  local method, path, headers, body = line:match("^(%S+)\t(%S+)\t(.-)\t(.*)$")
  local h = {}
  for name, value in headers:gmatch("([^\1]+)\2([^\1]*)\1") do h[name] = value end
  requests[#requests + 1] = wrk.format(method, path, h, body ~= "" and body or nil)
end
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  position, mismatches = id or 0, 0
end
function request()
  position = position + 1
  return requests[(position % #requests) + 1]
end
if expect ~= "" then
  function response(status, headers, body)
    if status ~= 200 or not body:find(expect, 1, true) then mismatches = mismatches + 1 end
  end
end
function done(summary, latency, _requests)
  local mismatched = 0
  for _, thread in ipairs(threads) do mismatched = mismatched + (thread:get("mismatches") or 0) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "errors": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout + e.status + mismatched,
    latency:percentile(50), latency:percentile(99)))
end
"""


def require_wrk():
    """The path of wrk, or an explanation of how to install it."""
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("The benchmark drives the server with wrk, which is not installed.\n"
                         "Install Debian's package: sudo apt-get install wrk   (then run make bench again)")
    return path


def wrk_load(port, target, *, duration, concurrency, server=None, warmup=1.0):
    """Drive ``target`` with wrk (``concurrency`` connections, up to 2 threads) for ``duration`` seconds.

    A short warm-up run first (worker imports, template and connection caches), not counted.
    ``server``: read before and after the timed run (``Server.reading``).
    """
    requests = target.requests(port) if target.requests is not None else [
        {"method": "GET", "path": path} for path in target.paths]
    lines = []
    for item in requests:
        headers = {"Host": "127.0.0.1", **(item.get("headers") or {})}
        encoded = "".join(f"{name}\x02{value}\x01" for name, value in headers.items())
        body = item.get("body") or ""
        if "\t" in body or "\n" in body or any("\t" in v or "\n" in v for v in headers.values()):
            raise ValueError("a request for wrk may not contain tabs or newlines (url-encode the body)")
        lines.append(f"{item.get('method', 'GET')}\t{item['path']}\t{encoded}\t{body}")
    with tempfile.TemporaryDirectory() as directory:
        script, spec = Path(directory) / "bench.lua", Path(directory) / "requests.tsv"
        script.write_text(_WRK_SCRIPT)
        spec.write_text("\n".join(lines) + "\n")
        env = {**os.environ, "BENCH_REQUESTS": str(spec), "BENCH_EXPECT": target.expect.decode()}

        def run(seconds):
            command = [require_wrk(), "-t", str(min(2, concurrency)), "-c", str(concurrency),
                       "-d", f"{seconds:g}s", "--timeout", "30s", "-s", str(script), f"http://127.0.0.1:{port}"]
            completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60)
            match = re.search(r"^BENCH_JSON (\{.*\})$", completed.stdout, re.MULTILINE)
            if completed.returncode != 0 or match is None:
                raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stdout[-2000:]} {completed.stderr[-2000:]}")
            return json.loads(match.group(1))

        run(warmup)
        before = server.reading() if server else None
        figures = run(duration)
        after = server.reading() if server else None
    count = figures["requests"]
    seconds = figures["duration_us"] / 1e6
    result = LoadResult(
        name=target.name, requests=count, errors=figures["errors"], seconds=seconds, rps=count / seconds,
        p50_ms=figures["p50_us"] / 1000, p95_ms=0.0, p99_ms=figures["p99_us"] / 1000, tool="wrk",
    )
    return _server_figures(result, target, server, before, after)


def _percentile_ms(values, fraction):
    if not values:
        return 0.0
    values = sorted(values)
    if fraction == 0.5:
        return 1000 * statistics.median(values)
    return 1000 * values[int(fraction * (len(values) - 1))]


# --- Queries --------------------------------------------------------------------------------------

def count_queries(check, statement_ms=None):
    """The number of queries each variant's page costs, measured in-process with the test client.

    A variant is a path (GET, must answer 200) or a callable ``variant(client)`` that does any
    setup with the test client (not counted) and returns ``go``, a callable making the request
    to count and returning its response (200 or a redirect). With a dict ``statement_ms``, each
    variant's request is made 5 times and the median of its statements' own time (the database's
    answers as the driver waited for them, without the commit) goes there, label -> ms.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for label, variant in check.variants.items():
        if callable(variant):
            variant(Client())()  # warm caches (content types, translations) with a first run
            prepare = lambda variant=variant: variant(Client())  # noqa: E731 (a new browser each time)
            expected = (200, 302)
        else:
            client = Client()
            client.get(variant)  # warm caches so only the page's own queries count
            prepare = lambda client=client, path=variant: (lambda: client.get(path))  # noqa: E731
            expected = (200,)
        times = []
        for _ in range(5 if statement_ms is not None else 1):
            go = prepare()
            waited = []
            with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(_timed(waited)):
                response = go()
            if response.status_code not in expected:
                raise RuntimeError(f"{check.name}: {label} answered {response.status_code}")
            counts.setdefault(label, len(queries))  # the first, as without timing
            times.append(sum(waited) * 1000)
        if statement_ms is not None:
            statement_ms[label] = sorted(times)[len(times) // 2]
    return counts


def _timed(waited):
    """An execute wrapper appending each statement's time (seconds) to ``waited``."""

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            waited.append(time.perf_counter() - started)

    return wrapper


# --- Report ---------------------------------------------------------------------------------------

def write_report(meta, loads, queries, extra=None, *, sections=(), query_targets=None, statement_ms=None):
    """The table (terminal and ``bench/results/latest.md``) and the raw figures (``bench/results/<stamp>.json``).

    ``extra`` holds the figures of self-contained benchmarks run as subprocesses: name -> {figure: value}.
    ``sections``: more tables, each (title, [column names], [rows as lists]). ``query_targets``:
    query check name -> the most queries issue 12 allows.
    """
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    query_targets, statement_ms = query_targets or {}, statement_ms or {}
    payload = {"meta": meta, "load": [asdict(result) for result in loads], "queries": queries,
               "statement_ms": statement_ms, "extra": extra or {},
               "sections": [{"title": title, "columns": columns, "rows": rows} for title, columns, rows in sections]}
    (RESULTS_DIR / f"{stamp}.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2))
    lines = [f"# Benchmark {stamp}", "", "```", json.dumps(meta, ensure_ascii=False), "```", "",
             "| page | per s | × bare view | p50 ms | p99 ms | worker CPU ms per request | errors | client | target | |",
             "|---|---:|---:|---:|---:|---:|---:|---|---|---|"]
    for result in loads:
        lines.append(f"| {result.name} | {result.rps:.1f} | {result.ratio_to_bare:.3f} | {result.p50_ms:.1f} | "
                     f"{result.p99_ms:.1f} | {result.cpu_ms:.2f} | {result.errors} | {result.tool} | "
                     f"{result.target} | {result.met} |")
        for part, figures in result.parts.items():
            lines.append(f"| ↳ {part} (p50, p95), client time ({result.tool}) | | | {figures['p50_ms']:.1f} | "
                         f"{figures['p95_ms']:.1f} | | | | | |")
        for part, figures in result.server_parts.items():
            lines.append(f"| ↳ {part} (p50, p95), server time (gunicorn access log, {figures['requests']} requests) "
                         f"| | | {figures['p50_ms']:.2f} | {figures['p95_ms']:.2f} | | | | | |")
    lines += ["", "| query check | queries per variant (their statements' own time, ms, median of 5) | constant "
                  "| target | |", "|---|---|---|---|---|"]
    for name, counts in queries.items():
        times = statement_ms.get(name, {})
        detail = ", ".join(f"{label}: {count}" + (f" ({times[label]:.2f})" if label in times else "")
                           for label, count in counts.items())
        most = query_targets.get(name)
        target = f"≤{most} queries" if most else ""
        met = ("met" if max(counts.values()) <= most else "not met") if most else ""
        lines.append(f"| {name} | {detail} | {'yes' if len(set(counts.values())) == 1 else 'NO'} | {target} | {met} |")
    for title, columns, rows in sections:
        lines += ["", f"{title}", "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    for name, figures in (extra or {}).items():
        lines += ["", f"| {name} | result |", "|---|---:|"]
        lines += [f"| {key} | {value} |" for key, value in figures.items()]
    text = "\n".join(lines) + "\n"
    (RESULTS_DIR / "latest.md").write_text(text)
    return text
