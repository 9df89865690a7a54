"""gunicorn's settings for the bench server: the production ones (../gunicorn.conf.py) with two changes.

Workers are never recycled (``max_requests``): a recycled worker's CPU time would vanish from
``/proc`` between the two readings that give the CPU per request. No access log: the load
generator sends tens of thousands of requests, and the terminal is for the report.
"""

from pathlib import Path

_production = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"
if _production.exists():
    exec(compile(_production.read_text(), str(_production), "exec"))

max_requests = 0
accesslog = None
