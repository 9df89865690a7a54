"""The figures table's rows (reporting/tables.py) are the markup they were when written with format_html."""

import itertools

import pytest
from django.utils import translation
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join

from reporting import tables
from reporting.selectors import Figures


def _old_percent(value, suffix=" %"):
    return "–" if value is None else f"{number_format(value, 1)}{suffix}"


def _old_row(label, figures):
    cells = [str(getattr(figures, name)) for name in tables.COUNTS]
    cells += [_old_percent(figures.on_time_rate_of_due), _old_percent(figures.on_time_rate_of_resolved),
              _old_percent(figures.satisfaction, suffix=""), _old_percent(figures.online_share)]
    return format_html('<tr><th scope="row">{}</th>{}</tr>', label,
                       format_html_join("", "<td>{}</td>", ((cell,) for cell in cells)))


def _figures():
    """Figures whose rates are none, 0, 100, a third, two thirds, one decimal and round."""
    counts = [0, 1, 2, 3, 7, 1234]
    for early, on_time, late, overdue, online, rated in itertools.islice(
            itertools.product(counts, repeat=6), 0, None, 97):
        yield Figures(resolved_early=early, resolved_on_time=on_time, resolved_late=late,
                      in_progress_overdue=overdue, received_online=online, received_in_person=late,
                      rated_satisfied=rated, rated_acceptable=early, rated_not_satisfied=on_time)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_rows_are_what_format_html_wrote(language):
    rows = [(label, figures) for label, figures in zip(
        itertools.cycle(["UBND phường Cửa Nam", "Sở <Tư pháp> & \"Nội vụ\"", "Tổng cộng"]), _figures())]
    assert len(rows) > 400
    with translation.override(language):
        assert tables.figures_rows(rows) == "".join(_old_row(label, figures) for label, figures in rows)
        assert tables.figures_row(*rows[1]) == _old_row(*rows[1])
