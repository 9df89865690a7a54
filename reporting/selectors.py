"""Reading the public statistics from the fact table: per agency, per tier, per month, for a year or a month."""

from dataclasses import dataclass, field, fields

from django.db.models import Max, Min, Q, Sum

from .models import AgencyMonthStatistics

# Flows add up over months; stocks are the first month's (carried over) and the last month's (in progress).
FLOWS = ("received_online", "received_in_person", "received_by_post", "resolved_early", "resolved_on_time",
         "resolved_late", "withdrawn", "refused", "rated_satisfied", "rated_acceptable", "rated_not_satisfied")
OPENING_STOCKS = ("carried_over",)
CLOSING_STOCKS = ("in_progress_on_time", "in_progress_overdue")
# Points of each rating in the average satisfaction (0–100).
SATISFACTION_POINTS = {"rated_satisfied": 100, "rated_acceptable": 50, "rated_not_satisfied": 0}


def _percent(part, whole):
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Figures:
    """The Decision 766 figures of one scope (an agency, a tier, everything) over one period."""

    carried_over: int = 0
    received_online: int = 0
    received_in_person: int = 0
    received_by_post: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    in_progress_on_time: int = 0
    in_progress_overdue: int = 0
    withdrawn: int = 0
    refused: int = 0
    rated_satisfied: int = 0
    rated_acceptable: int = 0
    rated_not_satisfied: int = 0

    def add(self, other):
        for name in FIGURE_NAMES:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def received(self):
        return self.received_online + self.received_in_person + self.received_by_post

    @property
    def total_in_hand(self):
        return self.carried_over + self.received

    @property
    def resolved(self):
        return self.resolved_early + self.resolved_on_time + self.resolved_late

    @property
    def resolved_in_time(self):
        return self.resolved_early + self.resolved_on_time

    @property
    def in_progress(self):
        return self.in_progress_on_time + self.in_progress_overdue

    @property
    def due(self):
        """Dossiers whose appointment fell in the period, the backlog included: resolved, or overdue and open."""
        return self.resolved + self.in_progress_overdue

    @property
    def on_time_rate_of_due(self):
        return _percent(self.resolved_in_time, self.due)

    @property
    def on_time_rate_of_resolved(self):
        return _percent(self.resolved_in_time, self.resolved)

    @property
    def ratings(self):
        return self.rated_satisfied + self.rated_acceptable + self.rated_not_satisfied

    @property
    def satisfaction(self):
        if not self.ratings:
            return None
        points = sum(getattr(self, name) * value for name, value in SATISFACTION_POINTS.items())
        return round(points / self.ratings, 1)

    @property
    def online_share(self):
        return _percent(self.received_online, self.received)


# Read once: dataclasses.fields() on every add was a fifth of the statistics page's Python calls.
FIGURE_NAMES = tuple(f.name for f in fields(Figures))


@dataclass
class AgencyRow:
    agency_id: int
    name: str
    tier_id: int
    figures: Figures


@dataclass
class TierRow:
    tier_id: int
    name: str
    figures: Figures = field(default_factory=Figures)


@dataclass
class Statistics:
    year: int
    month: int | None
    agencies: list
    tiers: list
    total: Figures
    months: list  # [(month, Figures)] of the year, for the chart
    computed_at: object


def available_years():
    bounds = AgencyMonthStatistics.objects.aggregate(first=Min("year"), last=Max("year"))
    if bounds["first"] is None:
        return []
    return list(range(bounds["last"], bounds["first"] - 1, -1))


def statistics(*, year, month=None, tier=None, agency=None):
    """The figures of ``year`` (or of one ``month`` of it) per agency, per tier and in total, and month by month.

    Flows are summed over the period's months; the opening stock is the first month's
    (January, or ``month``) and the closing stock the last computed month's: an agency
    without a row in a month had nothing then, so its stock there is zero. The database
    does the sums: a handful of queries on the fact table, whatever the number of dossiers.
    """
    rows = AgencyMonthStatistics.objects.filter(year=year)
    if agency is not None:
        rows = rows.filter(agency=agency)
    elif tier is not None:
        rows = rows.filter(agency__tier=tier)
    last_month = rows.aggregate(last=Max("month"))["last"] or 12
    first, last = (month, month) if month else (1, last_month)
    in_period = rows.filter(month__gte=first, month__lte=last)
    sums = {name: Sum(name) for name in FLOWS}
    sums.update({name: Sum(name, filter=Q(month=first)) for name in OPENING_STOCKS})
    sums.update({name: Sum(name, filter=Q(month=last)) for name in CLOSING_STOCKS})
    per_agency = list(in_period.values("agency_id", "agency__name", "agency__tier_id", "agency__tier__name",
                                       "agency__tier__order").order_by().annotate(**sums))
    per_agency.sort(key=lambda row: (row["agency__tier__order"], row["agency__name"]))
    agencies = [AgencyRow(agency_id=row["agency_id"], name=row["agency__name"], tier_id=row["agency__tier_id"],
                          figures=_figures(row)) for row in per_agency]
    tier_names = {row["agency__tier_id"]: row["agency__tier__name"] for row in per_agency}
    tiers, total = {}, Figures()
    for row in agencies:
        tier_row = tiers.setdefault(row.tier_id, TierRow(tier_id=row.tier_id, name=tier_names[row.tier_id]))
        tier_row.figures.add(row.figures)
        total.add(row.figures)
    by_month = {row["month"]: _figures(row) for row in rows.values("month").order_by().annotate(
        **{name: Sum(name) for name in (*OPENING_STOCKS, *FLOWS, *CLOSING_STOCKS)})}
    months = [(number, by_month.get(number, Figures())) for number in range(1, 13)]
    computed_at = rows.aggregate(last=Max("computed_at"))["last"]
    return Statistics(year=year, month=month, agencies=agencies, tiers=list(tiers.values()), total=total,
                      months=months, computed_at=computed_at)


def _figures(row):
    return Figures(**{name: row[name] or 0 for name in (*OPENING_STOCKS, *FLOWS, *CLOSING_STOCKS)})
