# The portal's image: one image for the web process (gunicorn), the Celery worker and Celery beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings \
    PORTAL_VAR_DIR=/app/var

# The major version of the PostgreSQL server in docker-compose.yml (postgres:16-alpine): backup_portal
# and restore_portal run its pg_dump and pg_restore, which refuse a server newer than themselves.
# Debian's own client is whatever the base image's release carries (15 in bookworm, 17 in trixie),
# so the client comes from PostgreSQL's apt repository (PGDG), pinned to this major;
# tests/portal/test_backup.py checks that the two numbers agree.
ARG POSTGRES_MAJOR=16

# DejaVu: Vietnamese glyphs for the generated PDF form templates. flite speaks the captcha's audio
# alternative and sox mixes noise into it (a different recording every time). Pango: WeasyPrint's
# text layout for the slips and receipts as PDF.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
       https://www.postgresql.org/media/keys/ACCC4CF8.asc \
    && . /etc/os-release \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt ${VERSION_CODENAME}-pgdg main" \
       > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core gettext flite sox \
       libpango-1.0-0 libpangoft2-1.0-0 "postgresql-client-${POSTGRES_MAJOR}" \
    && apt-get purge -y --auto-remove curl \
    && rm -rf /var/lib/apt/lists/* \
    && pg_dump --version | grep -q " ${POSTGRES_MAJOR}\."

WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install .
COPY . .

# Static files are collected into the image and served by WhiteNoise (hashed, compressed names).
RUN SECRET_KEY=build-only-not-secret PORTAL_LOCAL=0 DEBUG=0 python manage.py collectstatic --noinput -v0 \
    && (python manage.py compilemessages -v0 || true) \
    && useradd --system --uid 1000 --home-dir /app portal \
    && mkdir -p /app/var/files && chown -R portal /app/var

USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
