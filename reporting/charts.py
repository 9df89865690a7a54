"""Charts of the statistics page as SVG written on the server: readable without JavaScript or CSS.

Each chart is an ``<svg role="img">`` with its title and a description that says what it
shows; the page puts a table with the same numbers beside it, which is what a screen
reader (and anyone who wants the exact figures) reads.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

# Colours with at least 3:1 contrast on white (WCAG 1.4.11, graphical objects).
RECEIVED_COLOUR = "#1d4f91"
IN_TIME_COLOUR = "#1b7a3a"
LATE_COLOUR = "#b3261e"
RATE_COLOUR = "#1d4f91"
TEXT_COLOUR = "#1f1f1f"


def _n(value):
    """A coordinate as SVG text (``format_html`` escapes its arguments into strings first)."""
    return f"{value:.1f}"


def _scale_top(value):
    """A round number at or above ``value`` for the axis (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def monthly_chart(months, *, chart_id, title, description, labels):
    """Per month: a bar of dossiers received, and a bar of dossiers resolved (in time below, late on top).

    ``months`` is ``[(month number, Figures)]``; ``labels`` names the three series.
    """
    width, height, left, bottom, top = 720, 300, 48, 36, 16
    plot_height = height - bottom - top
    slot = (width - left - 8) / max(len(months), 1)
    bar = slot * 0.34
    peak = _scale_top(max([max(f.received, f.resolved) for _n, f in months] + [0]))

    def y(value):
        return top + plot_height - plot_height * value / peak

    parts = []
    for tick in (0, peak / 2, peak):
        parts.append(format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#767676" stroke-width="1"/>'
            '<text x="{}" y="{}" text-anchor="end" font-size="12" fill="{}">{}</text>',
            left, width - 8, _n(y(tick)), _n(y(tick)), left - 6, _n(y(tick) + 4), TEXT_COLOUR, f"{tick:g}"))
    for index, (number, figures) in enumerate(months):
        x = left + index * slot + slot * 0.12
        parts.append(format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
            _n(x), _n(y(figures.received)), _n(bar), _n(y(0) - y(figures.received)), RECEIVED_COLOUR))
        x2 = x + bar + slot * 0.06
        parts.append(format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
            _n(x2), _n(y(figures.resolved_in_time)), _n(bar), _n(y(0) - y(figures.resolved_in_time)), IN_TIME_COLOUR,
            _n(x2), _n(y(figures.resolved)), _n(bar), _n(y(figures.resolved_in_time) - y(figures.resolved)),
            LATE_COLOUR))
        parts.append(format_html('<text x="{}" y="{}" text-anchor="middle" font-size="12" fill="{}">{}</text>',
                                 _n(left + index * slot + slot / 2), height - bottom + 16, TEXT_COLOUR, number))
    legend = format_html_join("", (
        '<rect x="{}" y="{}" width="12" height="12" fill="{}"/>'
        '<text x="{}" y="{}" font-size="12" fill="' + TEXT_COLOUR + '">{}</text>'), [
        (left + offset, height - 14, colour, left + offset + 16, height - 3, label)
        for offset, colour, label in ((0, RECEIVED_COLOUR, labels[0]), (220, IN_TIME_COLOUR, labels[1]),
                                      (460, LATE_COLOUR, labels[2]))])
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" class="chart" role="img" '
        'aria-labelledby="{}-title {}-desc"><title id="{}-title">{}</title><desc id="{}-desc">{}</desc>'
        '{}{}</svg>',
        width, height + 4, chart_id, chart_id, chart_id, title, chart_id, description,
        mark_safe("".join(parts)), legend)


def rate_chart(rows, *, chart_id, title, description):
    """Horizontal bars of a percentage per row: ``rows`` is ``[(label, percent or None)]``."""
    row_height, left, width = 26, 260, 720
    height = row_height * len(rows) + 24
    scale = width - left - 60
    parts = []
    for index, (label, percent) in enumerate(rows):
        y = 8 + index * row_height
        shown = "–" if percent is None else f"{percent:g} %"
        parts.append(format_html(
            '<text x="{}" y="{}" text-anchor="end" font-size="12" fill="{}">{}</text>'
            '<rect x="{}" y="{}" width="{}" height="16" fill="{}"/>'
            '<text x="{}" y="{}" font-size="12" fill="{}">{}</text>',
            left - 8, y + 12, TEXT_COLOUR, label[:40], left, y, _n(scale * (percent or 0) / 100), RATE_COLOUR,
            _n(left + scale * (percent or 0) / 100 + 6), y + 12, TEXT_COLOUR, shown))
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" class="chart" role="img" '
        'aria-labelledby="{}-title {}-desc"><title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        width, height, chart_id, chart_id, chart_id, title, chart_id, description, mark_safe("".join(parts)))
