"""docs/security.md 11, 26: the centre's role log rejects UPDATE and DELETE at the database level
(SQLite and PostgreSQL), like the case access log (cases/migrations/0002)."""

from django.db import migrations

SQL = {
    "sqlite": (
        [
            "CREATE TRIGGER partnerships_rolelog_no_update BEFORE UPDATE ON partnerships_rolelog "
            "BEGIN SELECT RAISE(ABORT, 'partnerships_rolelog is append-only'); END",
            "CREATE TRIGGER partnerships_rolelog_no_delete BEFORE DELETE ON partnerships_rolelog "
            "BEGIN SELECT RAISE(ABORT, 'partnerships_rolelog is append-only'); END",
        ],
        [
            "DROP TRIGGER IF EXISTS partnerships_rolelog_no_update",
            "DROP TRIGGER IF EXISTS partnerships_rolelog_no_delete",
        ],
    ),
    "postgresql": (
        [
            "CREATE OR REPLACE FUNCTION partnerships_rolelog_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'partnerships_rolelog is append-only'; END; $$",
            "CREATE TRIGGER partnerships_rolelog_no_update_delete BEFORE UPDATE OR DELETE "
            "ON partnerships_rolelog FOR EACH ROW EXECUTE FUNCTION partnerships_rolelog_append_only()",
        ],
        [
            "DROP TRIGGER IF EXISTS partnerships_rolelog_no_update_delete ON partnerships_rolelog",
            "DROP FUNCTION IF EXISTS partnerships_rolelog_append_only()",
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
    dependencies = [("partnerships", "0002_centre_appointments_and_role_log")]

    operations = [VendorSQL(SQL)]
