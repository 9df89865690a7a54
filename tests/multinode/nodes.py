"""Web nodes for the several-nodes tests: gunicorn processes that share no disk.

Each ``Node`` is ``gunicorn portal.wsgi`` in a working directory of its own (its own
``PORTAL_VAR_DIR``, so its own private-files directory), on a port of its own, sharing
only what several servers behind a load balancer share: the test database (PostgreSQL),
Redis (cache: sessions' rate limits, captcha refresh limits…) and the S3-protocol store.
A ``requests.Session`` talking to both ports is one browser behind a load balancer
(cookies are kept per host name, not per port).
"""

import re
import sys
import time
from pathlib import Path

import requests

from tests.fixtures.processes import ServiceProcess
from tests.fixtures.smtp import free_port

PROJECT_DIR = Path(__file__).resolve().parents[2]
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CAPTCHA_KEY = re.compile(r'name="captcha_0" value="([0-9a-f]+)"')


class Node(ServiceProcess):
    """One gunicorn server (one sync worker) with its own working directory."""

    def __init__(self, name, workdir, env):
        self.name, self.workdir = name, workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.var_dir = workdir / "var"
        self.var_dir.mkdir(parents=True)
        super().__init__(
            [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "1", "--timeout", "60", "--access-logfile", "-", "--chdir", str(workdir)],
            log_path=workdir / "gunicorn.log", cwd=workdir,
            env={**env, "PORTAL_VAR_DIR": str(self.var_dir), "PYTHONPATH": str(PROJECT_DIR)},
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{self.url}/tim-kiem/", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"node {name} did not start:\n{self.output()}")
            time.sleep(0.2)

    def files_on_disk(self):
        """Every regular file under the node's own var directory (static files excepted)."""
        return sorted(str(path.relative_to(self.var_dir)) for path in self.var_dir.rglob("*")
                      if path.is_file() and "staticfiles" not in path.parts)


def csrf_token(html):
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def captcha_key(html):
    match = CAPTCHA_KEY.search(html)
    assert match, "no captcha on the page"
    return match.group(1)
