"""Fills ActivityTally (each activity's tallies summed by sex) from the tallies already recorded."""

from django.db import migrations


def fill(apps, schema_editor):
    ActivityTally = apps.get_model("programme", "ActivityTally")
    Tally = apps.get_model("activities", "Tally")
    quote = schema_editor.quote_name
    sums = ", ".join(f"SUM(CASE WHEN sex = '{s}' THEN count ELSE 0 END)" for s in "FMX")
    schema_editor.execute(
        f"INSERT INTO {quote(ActivityTally._meta.db_table)} (activity_id, f, m, x) "  # noqa: S608
        f"SELECT activity_id, {sums} FROM {quote(Tally._meta.db_table)} GROUP BY activity_id"
    )


def empty(apps, schema_editor):
    apps.get_model("programme", "ActivityTally").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0002_activity_index_partnership_date_kind"),
        ("programme", "0004_activity_tally_derived_sums"),
    ]

    operations = [migrations.RunPython(fill, empty)]
