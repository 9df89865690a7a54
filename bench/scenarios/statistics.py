"""The public statistics page (``/thong-ke/``) over 1,000,000 dossiers (``--dossiers N`` to change it).

The dossiers are the lookup scenario's (``generate_dossiers``: a year of a province's dossiers
up to today, spread over days, agencies, procedures and statuses, with received_at,
appointment_date, result_ready_at and their history, some resolved late, some withdrawn or
refused). The real periodic job fills the fact table (``reporting.services.refresh_statistics(
since="all")``), timed and printed. What is timed under load: the page for this year, for a
month, for one tier, for one agency, and the CSV download, from the page cache and again with
it off; every answer must show the figures table. The query check makes sure a page costs the same number of queries whatever the period
and scope.
"""

import sys
import time

from bench.framework import QueryCheck, Scenario, Target
from bench.scenarios.lookup import bench_catalogue, generate_dossiers

FIGURES = b'class="stats-table"'


def fill_fact_table(*, stdout=sys.stdout):
    from reporting.services import refresh_statistics

    started = time.perf_counter()
    months = refresh_statistics(since="all")
    elapsed = time.perf_counter() - started
    print(f"statistics bench: fact table filled, {len(months)} months in {elapsed:.1f} s "
          f"({elapsed / max(len(months), 1):.2f} s a month)", file=stdout)
    return elapsed


class StatisticsScenario(Scenario):
    name = "statistics"

    def prepare(self, ctx):
        from django.utils import timezone

        count = ctx.options.get("dossiers", 1_000_000)
        generate_dossiers(count)
        ctx.data["statistics_fill_seconds"] = fill_fact_table()
        _procedures, agencies = bench_catalogue()
        today = timezone.localdate()
        # The year of the data (the last 365 days): this year, and a month of it that is over.
        year, month = today.year, max(1, today.month - 1)
        agency = agencies[0]
        ctx.data["statistics_year"] = year
        ctx.data["statistics_pages"] = {
            f"year {year}": f"/thong-ke/?nam={year}",
            "one month": f"/thong-ke/?nam={year}&thang={month}",
            "one tier": f"/thong-ke/?nam={year}&cap={agency.tier.slug}",
            "one agency": f"/thong-ke/?nam={year}&co_quan={agency.pk}",
        }

    def targets(self, ctx):
        count = ctx.options.get("dossiers", 1_000_000)
        pages = ctx.data["statistics_pages"]
        year = ctx.data["statistics_year"]
        return [
            # Public pages of the page cache (fresh after each refresh of the fact table): timed from
            # the cache and again rendered.
            Target(f"statistics /thong-ke/ (year, month, tier, agency) over {count:,} dossiers",
                   paths=list(pages.values()), expect=FIGURES, cacheable=True),
            Target("statistics CSV download", paths=[f"/thong-ke/tai-ve.csv?nam={year}"], expect=str(year).encode(),
                   cacheable=True),
        ]

    def query_checks(self, ctx):
        pages = ctx.data["statistics_pages"]
        first, second, tier, agency = pages
        # A tier or an agency costs the form one query to check it: the same for both, never one per row.
        return [QueryCheck("statistics page", {label: pages[label] for label in (first, second)}),
                QueryCheck("statistics page, filtered", {label: pages[label] for label in (tier, agency)})]


SCENARIO = StatisticsScenario()
