"""The back office's Celery tasks: the large list exports."""

import logging

from celery import shared_task
from django.contrib import admin
from django.http import HttpRequest, QueryDict

from dossiers.models import Dossier

from . import exports
from .models import ExportFile, ExportStatus

logger = logging.getLogger(__name__)


def _list_request(user, query_string):
    """A request for the dossier list as ``user`` filtered it: what the admin's changelist reads."""
    request = HttpRequest()
    request.method = "GET"
    request.GET = QueryDict(query_string)
    request.user = user
    return request


@shared_task(ignore_result=True)
def build_export(export_id):
    """Build the stored export ``export_id`` (an ``ExportFile`` still pending) and mark it ready.

    Re-reads the row and rebuilds the list through the dossier admin's own changelist with
    the clerk's current rights, so the file holds exactly what the clerk's list holds now,
    never more. A row already built, or gone, is left alone (a repeated delivery builds
    nothing twice). On failure the row is marked failed (the clerk is told) and the error logged.
    Deletes the expired exports first.
    """
    exports.delete_expired_exports()
    export = ExportFile.objects.select_related("requested_by").filter(
        pk=export_id, status=ExportStatus.PENDING).first()
    if export is None:
        return
    try:
        model_admin = admin.site.get_model_admin(Dossier)
        request = _list_request(export.requested_by, export.filters)
        queryset = model_admin.get_changelist_instance(request).queryset
        exports.store_xlsx(export, queryset)
    except Exception:
        logger.exception("export %s failed", export_id)
        ExportFile.objects.filter(pk=export_id).update(status=ExportStatus.FAILED)


@shared_task(ignore_result=True)
def delete_expired_exports():
    """Delete the stored exports past their ``expires_at`` (row, then file). Safe to run any time, any
    number of times; ``build_export`` runs it too, so expired files never wait longer than the next export."""
    return exports.delete_expired_exports()
