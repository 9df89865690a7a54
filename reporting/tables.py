"""The figures table's rows, written in Python.

A province has hundreds of agencies; one template include per row (sixteen cells each) was
most of the statistics page's time, so the rows are built here with the same markup. Each
cell is joined as a string (``format_html`` for every cell cost about 25 Python calls, most of
the page), and the percentages take the language's decimal separator read once for the table.
"""

import html

from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

COUNTS = ("carried_over", "received_online", "received_in_person", "received_by_post", "resolved_early",
          "resolved_on_time", "resolved_late", "in_progress_on_time", "in_progress_overdue", "withdrawn", "refused")


def _percent(value, decimal_separator, suffix=" %"):
    # number_format(value, 1) with the separator already looked up (a rate is below 1,000: no grouping).
    return "–" if value is None else f"{numberformat.format(value, decimal_separator, 1)}{suffix}"


def figures_row(label, figures, decimal_separator=None):
    separator = decimal_separator or get_format("DECIMAL_SEPARATOR")
    # The counts are integers (digits only); the rates carry the language's separator, escaped.
    counts = "".join(f"<td>{int(getattr(figures, name))}</td>" for name in COUNTS)
    rates = [_percent(figures.on_time_rate_of_due, separator), _percent(figures.on_time_rate_of_resolved, separator),
             _percent(figures.satisfaction, separator, suffix=""), _percent(figures.online_share, separator)]
    tds = counts + "".join(f"<td>{html.escape(rate)}</td>" for rate in rates)
    return mark_safe(f'<tr><th scope="row">{conditional_escape(label)}</th>{tds}</tr>')


def figures_rows(rows):
    """``rows``: ``[(label, Figures)]`` → the ``<tr>`` elements, escaped."""
    separator = get_format("DECIMAL_SEPARATOR")
    return mark_safe("".join(figures_row(label, figures, separator) for label, figures in rows))
