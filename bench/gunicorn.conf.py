"""gunicorn's settings for the bench server: the production ones (../gunicorn.conf.py) with two changes.

Workers are never recycled (``max_requests``): a recycled worker's CPU time would vanish from
``/proc`` between the two readings that give the CPU per request. No access log here: writing a
line a request costs the workers CPU, which would change every ratio to the bare view, and the
terminal is for the report. One server turns it on (``Server(access_log=…)`` adds
``--access-logfile``, ``var/bench/access-concurrency-1.log``, and ``framework.ACCESS_LOG_FORMAT``):
``run.py``'s concurrency-1 server, where a bare request and the filing journeys are timed by the
server itself (``%(D)s``) for issue 12's confirm POST target, and only there.
"""

from pathlib import Path

_production = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"
if _production.exists():
    exec(compile(_production.read_text(), str(_production), "exec"))

max_requests = 0
accesslog = None
