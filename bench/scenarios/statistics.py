"""The public statistics page (``/thong-ke/``) over 1,000,000 dossiers (``--dossiers N`` to change it).

The dossiers are the lookup scenario's (``generate_dossiers``: 100 agencies, from 1 January
2025 on), given a life in SQL: spread over 2025, nine in ten received the day after filing with
an appointment five days later, two in three of those resolved between one and nine days
after reception (so early, on time and late), one in forty withdrawn. Then the real periodic job fills the fact
table (``reporting.services.refresh_statistics(since="all")``), timed and printed. What is timed
under load: the page for a year, for a month, for one tier, and the CSV download; every answer
must show the figures table. The query check makes sure a page costs the same number of
queries whatever the period and scope.
"""

import sys
import time

from bench.framework import QueryCheck, Scenario, Target
from bench.scenarios.lookup import _bench_catalogue, generate_dossiers

FIGURES = b'class="stats-table"'


def give_the_dossiers_a_life(*, stdout=sys.stdout):
    """Receive, resolve and withdraw the generated dossiers in SQL (idempotent: only untouched ones change)."""
    from django.db import connection

    from dossiers.models import Dossier, DossierEvent

    procedure, _agencies = _bench_catalogue()
    table, events = Dossier._meta.db_table, DossierEvent._meta.db_table
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"""
            UPDATE {table} SET
                -- Spread over 2025 (the generator files them all in a few days), one day a dossier.
                submitted_at = TIMESTAMPTZ '2025-01-01 08:00:00+07' + ((id %% 365) || ' days')::interval,
                received_at = TIMESTAMPTZ '2025-01-02 08:00:00+07' + ((id %% 365) || ' days')::interval,
                appointment_date = DATE '2025-01-07' + (id %% 365)::int,
                result_ready_at = CASE WHEN id %% 3 <> 0 THEN TIMESTAMPTZ '2025-01-02 10:00:00+07'
                                       + ((id %% 365 + 1 + id %% 9) || ' days')::interval END,
                status = CASE WHEN id %% 3 <> 0 THEN 'returned' ELSE 'processing' END
            WHERE procedure_id = %s AND received_at IS NULL AND id %% 10 <> 0
        """, [procedure.pk])
        cursor.execute(f"""
            WITH withdrawn AS (
                UPDATE {table} SET status = 'withdrawn'
                WHERE procedure_id = %s AND received_at IS NULL AND id %% 40 = 0 AND status = 'registered'
                RETURNING id, submitted_at)
            INSERT INTO {events} (dossier_id, created_at, actor_kind, action, from_status, to_status,
                                  public_note, internal_note, appointment_date)
            SELECT id, submitted_at + interval '2 hours', 'citizen', 'withdraw', 'registered', 'withdrawn', '', '', NULL
            FROM withdrawn
        """, [procedure.pk])
        cursor.execute(f"ANALYZE {table}")
    print(f"statistics bench: dossiers given a life ({time.perf_counter() - started:.1f} s)", file=stdout)


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
        count = ctx.options.get("dossiers", 1_000_000)
        generate_dossiers(count)
        give_the_dossiers_a_life()
        ctx.data["statistics_fill_seconds"] = fill_fact_table()
        from procedures.models import Agency

        agency = Agency.objects.filter(identifier_code__startswith="B").order_by("pk").first()
        ctx.data["statistics_pages"] = {
            "year 2025": "/thong-ke/?nam=2025",
            "one month": "/thong-ke/?nam=2025&thang=6",
            "one tier": f"/thong-ke/?nam=2025&cap={agency.tier.slug}",
            "one agency": f"/thong-ke/?nam=2025&co_quan={agency.pk}",
        }

    def targets(self, ctx):
        count = ctx.options.get("dossiers", 1_000_000)
        pages = ctx.data["statistics_pages"]
        return [
            Target(f"statistics /thong-ke/ (year, month, tier, agency) over {count:,} dossiers",
                   paths=list(pages.values()), expect=FIGURES),
            Target("statistics CSV download", paths=["/thong-ke/tai-ve.csv?nam=2025"], expect=b"2025"),
        ]

    def query_checks(self, ctx):
        pages = ctx.data["statistics_pages"]
        # A tier or an agency costs the form one query to check it: the same for both, never one per row.
        return [QueryCheck("statistics page", {label: pages[label] for label in ("year 2025", "one month")}),
                QueryCheck("statistics page, filtered", {label: pages[label] for label in ("one tier", "one agency")})]


SCENARIO = StatisticsScenario()
