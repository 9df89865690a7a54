"""gunicorn's settings for the portal's web process (read from the working directory, /app in the image).

Limits on what a client may send before Django sees it; the body's size is capped by nginx
(deploy/nginx.conf) and by ``portal.security.RequestBodyLimitMiddleware``. Every value can be
overridden on the command line or with GUNICORN_CMD_ARGS.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# A request line (method, path, query) and the headers: enough for any page of the portal.
limit_request_line = 4094
limit_request_fields = 60
limit_request_field_size = 8190
# A sync worker answers within this, or is replaced; nginx reads slow clients' bodies first.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then (memory fragmentation), not all at once.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# Behind nginx only: trust its X-Forwarded-* headers from the compose network.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
