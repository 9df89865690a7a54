"""A trigram GIN index on ``Procedure.search_text`` (PostgreSQL only), for the catalogue search.

The search keeps its meaning on every database: each word of the query, without diacritics and
in lower case, must occur somewhere in ``search_text`` (``LIKE '%word%'``). On PostgreSQL a
``gin_trgm_ops`` index answers exactly that predicate, so the search no longer reads the whole
table; full-text search with ``unaccent`` would match whole words only ("phep" but not "phe")
and needs its own query syntax, for no gain at a catalogue's size (bench/README.md). SQLite has
neither pg_trgm nor GIN: there the migration does nothing and the search scans, as before.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "procedures_procedure_search_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON procedures_procedure USING gin (search_text gin_trgm_ops)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("procedures", "0001_initial")]

    operations = [
        TrigramExtension(),  # does nothing on other databases
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
