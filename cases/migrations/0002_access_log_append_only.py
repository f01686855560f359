"""docs/security.md 11: the access log rejects UPDATE and DELETE at the database level (SQLite and PostgreSQL).

PostgreSQL's TRUNCATE (used only by test-database resets) is not a row change and is not blocked.
"""

from django.db import migrations

SQL = {
    "sqlite": (
        [
            "CREATE TRIGGER cases_accesslog_no_update BEFORE UPDATE ON cases_accesslog "
            "BEGIN SELECT RAISE(ABORT, 'cases_accesslog is append-only'); END",
            "CREATE TRIGGER cases_accesslog_no_delete BEFORE DELETE ON cases_accesslog "
            "BEGIN SELECT RAISE(ABORT, 'cases_accesslog is append-only'); END",
        ],
        [
            "DROP TRIGGER IF EXISTS cases_accesslog_no_update",
            "DROP TRIGGER IF EXISTS cases_accesslog_no_delete",
        ],
    ),
    "postgresql": (
        [
            "CREATE OR REPLACE FUNCTION cases_accesslog_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'cases_accesslog is append-only'; END; $$",
            "CREATE TRIGGER cases_accesslog_no_update_delete BEFORE UPDATE OR DELETE ON cases_accesslog "
            "FOR EACH ROW EXECUTE FUNCTION cases_accesslog_append_only()",
        ],
        [
            "DROP TRIGGER IF EXISTS cases_accesslog_no_update_delete ON cases_accesslog",
            "DROP FUNCTION IF EXISTS cases_accesslog_append_only()",
        ],
    ),
}


class VendorSQL(migrations.RunSQL):
    """RunSQL with one SQL list per database vendor (the others run nothing)."""

    def __init__(self, by_vendor):
        self.by_vendor = by_vendor
        super().__init__(sql=[], reverse_sql=[])

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        for statement in self.by_vendor.get(schema_editor.connection.vendor, ([], []))[0]:
            schema_editor.execute(statement, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        for statement in self.by_vendor.get(schema_editor.connection.vendor, ([], []))[1]:
            schema_editor.execute(statement, params=None)

    def deconstruct(self):
        return (self.__class__.__name__, [self.by_vendor], {})


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_case_files_services_and_access_log")]

    operations = [VendorSQL(SQL)]
