"""Reading the public statistics from the fact table: per agency, per tier, per month, for a year or a month."""

from dataclasses import dataclass, field, fields

from django.db.models import Max, Min

from procedures.models import Agency

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
        for name in (f.name for f in fields(self)):
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


def _period_figures(rows):
    """Fold month rows (ordered by month) of one agency into the period's ``Figures``."""
    figures = Figures()
    first_month = rows[0]["year"], rows[0]["month"]
    last_month = rows[-1]["year"], rows[-1]["month"]
    for row in rows:
        for name in FLOWS:
            setattr(figures, name, getattr(figures, name) + row[name])
        if (row["year"], row["month"]) == first_month:
            for name in OPENING_STOCKS:
                setattr(figures, name, row[name])
        if (row["year"], row["month"]) == last_month:
            for name in CLOSING_STOCKS:
                setattr(figures, name, row[name])
    return figures


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


VALUES = ("agency_id", "year", "month", *OPENING_STOCKS, *FLOWS, *CLOSING_STOCKS)


def available_years():
    bounds = AgencyMonthStatistics.objects.aggregate(first=Min("year"), last=Max("year"))
    if bounds["first"] is None:
        return []
    return list(range(bounds["last"], bounds["first"] - 1, -1))


def statistics(*, year, month=None, tier=None, agency=None):
    """The figures of ``year`` (or of one ``month`` of it) per agency, per tier and in total, and month by month.

    Two queries on the fact table (the year's rows in scope, the agencies' names), whatever
    the number of dossiers.
    """
    rows = AgencyMonthStatistics.objects.filter(year=year)
    if agency is not None:
        rows = rows.filter(agency=agency)
    elif tier is not None:
        rows = rows.filter(agency__tier=tier)
    rows = list(rows.order_by("agency_id", "month").values(*VALUES))
    computed_at = AgencyMonthStatistics.objects.filter(year=year).aggregate(last=Max("computed_at"))["last"]
    by_agency, by_month = {}, {}
    for row in rows:
        by_month.setdefault(row["month"], []).append(row)
        if month is None or row["month"] == month:
            by_agency.setdefault(row["agency_id"], []).append(row)
    names = {a["pk"]: a for a in Agency.objects.filter(pk__in=by_agency).values("pk", "name", "tier_id",
                                                                                 "tier__name", "tier__order")}
    agencies = sorted(
        (AgencyRow(agency_id=pk, name=names[pk]["name"], tier_id=names[pk]["tier_id"],
                   figures=_period_figures(agency_rows)) for pk, agency_rows in by_agency.items()),
        key=lambda row: (names[row.agency_id]["tier__order"], row.name))
    tiers, total = {}, Figures()
    for row in agencies:
        tier_row = tiers.setdefault(row.tier_id, TierRow(tier_id=row.tier_id, name=names[row.agency_id]["tier__name"]))
        tier_row.figures.add(row.figures)
        total.add(row.figures)
    months = []
    for number in range(1, 13):
        month_total = Figures()
        for row in by_month.get(number, []):
            month_total.add(_period_figures([row]))
        months.append((number, month_total))
    return Statistics(year=year, month=month, agencies=agencies, tiers=list(tiers.values()), total=total,
                      months=months, computed_at=computed_at)
