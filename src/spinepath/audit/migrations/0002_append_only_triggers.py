"""Make the access log append-only in the database itself.

UPDATE is refused on every engine. DELETE is refused on PostgreSQL; on SQLite
the test runner empties tables with DELETE, so there the model's own refusal
(AccessLog.delete) is the guard. TRUNCATE (an operator's deliberate purge)
stays possible.
"""

from django.db import migrations

SQLITE = [
    """
    CREATE TRIGGER audit_accesslog_no_update BEFORE UPDATE ON audit_accesslog
    BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
    """,
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS audit_accesslog_no_update;"]

POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION audit_accesslog_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'the access log is append-only';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER audit_accesslog_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_accesslog
    FOR EACH ROW EXECUTE FUNCTION audit_accesslog_append_only();
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_accesslog_no_update_or_delete ON audit_accesslog;",
    "DROP FUNCTION IF EXISTS audit_accesslog_append_only();",
]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(
        schema_editor.connection.vendor, []
    )
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
