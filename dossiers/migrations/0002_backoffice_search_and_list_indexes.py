"""The back office's list at a million dossiers (issue 12): a searchable name column and its indexes.

``Dossier.applicant_search_name`` holds the applicant's and organisation's names in lower case
without diacritics (``procedures.text.search_key``, kept in step by ``Dossier.save``); existing
rows are filled here in batches. The B-tree indexes serve the list's default order, the clerk's
agencies, the status filter, the deadline queues and the leader's view on every database. Two
more are PostgreSQL only (SQLite has neither operator classes nor GIN, and scans instead):
``varchar_pattern_ops`` on the code, for "code starts with" (``LIKE 'X%'`` under a non-C
collation), and a trigram GIN index on the search name, for "name contains".
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

CODE_PREFIX_INDEX = "dossier_code_prefix_idx"
NAME_TRIGRAM_INDEX = "dossier_search_name_trgm_idx"
BATCH = 5000


def fill_search_names(apps, schema_editor):
    from procedures.text import search_key

    Dossier = apps.get_model("dossiers", "Dossier")
    last = 0
    while True:
        batch = list(Dossier.objects.filter(pk__gt=last).order_by("pk")
                     .only("pk", "applicant_name", "organisation_name")[:BATCH])
        if not batch:
            return
        for dossier in batch:
            dossier.applicant_search_name = search_key(f"{dossier.applicant_name} {dossier.organisation_name}")
        Dossier.objects.bulk_update(batch, ["applicant_search_name"])
        last = batch[-1].pk


def create_postgres_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {CODE_PREFIX_INDEX} "
                              "ON dossiers_dossier (code varchar_pattern_ops)")
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME_TRIGRAM_INDEX} "
                              "ON dossiers_dossier USING gin (applicant_search_name gin_trgm_ops)")


def drop_postgres_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {CODE_PREFIX_INDEX}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME_TRIGRAM_INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("dossiers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="applicant_search_name",
            field=models.CharField(default="", editable=False, max_length=520),
        ),
        migrations.RunPython(fill_search_names, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["submitted_at", "id"], name="dossier_submitted_order_idx"),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["agency", "submitted_at"], name="dossier_agency_submitted_idx"),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["status", "submitted_at"], name="dossier_status_submitted_idx"),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["status", "appointment_date"], name="dossier_status_deadline_idx"),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["received_at"], name="dossier_received_idx"),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["result_ready_at"], name="dossier_result_ready_idx"),
        ),
        TrigramExtension(),  # does nothing on other databases
        migrations.RunPython(create_postgres_indexes, drop_postgres_indexes, elidable=False),
    ]
