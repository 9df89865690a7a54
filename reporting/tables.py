"""The figures table's rows, written in Python.

A province has hundreds of agencies; one template include per row (sixteen cells each) was
most of the statistics page's time, so the rows are built here with the same markup.
"""

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join

COUNTS = ("carried_over", "received_online", "received_in_person", "received_by_post", "resolved_early",
          "resolved_on_time", "resolved_late", "in_progress_on_time", "in_progress_overdue", "withdrawn", "refused")


def _percent(value, suffix=" %"):
    return "–" if value is None else f"{number_format(value, 1)}{suffix}"


def figures_row(label, figures):
    cells = [str(getattr(figures, name)) for name in COUNTS]
    cells += [_percent(figures.on_time_rate_of_due), _percent(figures.on_time_rate_of_resolved),
              _percent(figures.satisfaction, suffix=""), _percent(figures.online_share)]
    return format_html('<tr><th scope="row">{}</th>{}</tr>', label,
                       format_html_join("", "<td>{}</td>", ((cell,) for cell in cells)))


def figures_rows(rows):
    """``rows``: ``[(label, Figures)]`` → the ``<tr>`` elements, escaped."""
    return format_html_join("", "{}", ((figures_row(label, figures),) for label, figures in rows))
