"""The database's own guard for the audit trail: on PostgreSQL a trigger refuses UPDATE and DELETE
of ``audit_auditentry`` rows, so not even a raw query or a bulk ``.update()`` rewrites history.
"""

from django.db import connections

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""
TRIGGER_SQL = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""


def forbid_changes(sender, using="default", **kwargs):
    """Install (again) the append-only trigger; a no-op on other databases than PostgreSQL."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if "audit_auditentry" not in connection.introspection.table_names(cursor):
            return
        cursor.execute(FUNCTION_SQL)
        cursor.execute(TRIGGER_SQL)
