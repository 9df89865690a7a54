"""Deployment checks of our own, run by ``manage.py check --deploy``."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def production_services(app_configs, **kwargs):
    if settings.PORTAL_LOCAL:
        return []
    problems = []
    if not settings.CACHE_URL:
        problems.append(Warning(
            "CACHE_URL is not set: rate limits are counted per process, not shared between web workers.",
            hint="Point CACHE_URL at Redis, e.g. redis://redis:6379/1.", id="portal.W001"))
    if not settings.CELERY_BROKER_URL:
        problems.append(Warning(
            "CELERY_BROKER_URL is not set: notifications are sent inside web requests (eager mode).",
            hint="Point CELERY_BROKER_URL at Redis and run a worker and beat.", id="portal.W002"))
    return problems
