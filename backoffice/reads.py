"""What the audit trail records of the back office's reads beyond the dossier page and its files.

The dossier page and each file downloaded are recorded by ``audit.services.record_dossier_access``.
The other ways a citizen's personal data leaves the screen are recorded here:

- a slip or receipt printed (its HTML page) or downloaded as PDF: one ``PRINT`` entry on the dossier;
- the agency's tracking log (sổ theo dõi, every dossier of a period): ``PRINT`` entries per agency;
- the dossier list as CSV or XLSX: ``EXPORT`` entries, one per agency whose dossiers the file holds,
  with that agency's number of rows, the whole file's and the list's filters (the query string),
  so each agency's leader reads what left their agency.

Nothing is written outside a staff member's request (``audit.recorder.write_entry``).
"""

from django.db.models import Count
from django.dispatch import receiver

from audit.models import AuditAction
from audit.recorder import write_entry
from payments.admin import receipt_shown
from procedures.models import Agency

# The detail column holds 300 characters; the filters are also kept whole in ``changes``.
DETAIL_FILTERS_LENGTH = 200


def record_print(dossier, *, document, fmt):
    """One ``PRINT`` entry: ``document`` (a slip's title, "biên lai" …) of ``dossier`` as ``fmt`` (HTML, PDF)."""
    return write_entry(action=AuditAction.PRINT, instance=dossier, agency_id=dossier.agency_id,
                       detail=f"{document} ({fmt})", changes={"document": str(document), "format": fmt})


def _per_agency(queryset):
    return dict(queryset.order_by().values("agency_id").annotate(n=Count("pk")).values_list("agency_id", "n"))


def _record_rows(queryset, *, action, what, fmt, filters, limit=None):
    """One entry per agency of ``queryset``'s dossiers (one without an agency when it is empty)."""
    per_agency = _per_agency(queryset)
    total = sum(per_agency.values())
    if limit is not None and total > limit:
        total = limit  # the file stops there (XLSX's row limit)
    shown_filters = filters if len(filters) <= DETAIL_FILTERS_LENGTH else filters[:DETAIL_FILTERS_LENGTH] + "…"
    entries = []
    agencies = Agency.objects.in_bulk(list(per_agency))
    for agency_id, rows in sorted(per_agency.items()) or [(None, 0)]:
        rows = min(rows, total)
        detail = f"{what} {fmt.upper()}: {rows} hồ sơ"
        if rows != total:
            detail += f" (cả tệp {total})"
        detail += f"; bộ lọc: {shown_filters or '—'}"
        changes = {"format": fmt, "rows": rows, "total_rows": total, "filters": filters}
        agency = agencies.get(agency_id)
        entries.append(write_entry(action=action, instance=agency, changes=changes, detail=detail))
    return entries


def record_export(queryset, *, fmt, filters, limit=None):
    """``EXPORT`` entries for the list ``queryset`` written as ``fmt`` with the list's ``filters``."""
    return _record_rows(queryset, action=AuditAction.EXPORT, what="Xuất", fmt=fmt, filters=filters, limit=limit)


def record_tracking_log(queryset, *, filters):
    """``PRINT`` entries for the tracking log of ``queryset``'s dossiers."""
    return _record_rows(queryset, action=AuditAction.PRINT, what="Sổ theo dõi", fmt="html", filters=filters)


@receiver(receipt_shown, dispatch_uid="backoffice.reads.payment_receipt")
def _payment_receipt_shown(sender, payment, fmt, **kwargs):
    # The payments app may not import the audit trail (README, layout); it says a receipt was shown.
    record_print(payment.dossier, document=f"Biên lai {payment.receipt_number or payment.reference}", fmt=fmt)
