# The engine's derived tables now belong to the `indicators` app (indicators/migrations/0001):
# only Django's state changes here; the tables and their rows stay as they are.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("programme", "0004_activity_totals_derived"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="indicatormember",
                    name="indicator",
                ),
                migrations.RemoveField(
                    model_name="indicatormember",
                    name="person",
                ),
                migrations.RemoveField(
                    model_name="indicatorvalue",
                    name="indicator",
                ),
                migrations.DeleteModel(
                    name="ActivityTotal",
                ),
                migrations.DeleteModel(
                    name="IndicatorMember",
                ),
                migrations.DeleteModel(
                    name="IndicatorValue",
                ),
            ],
            database_operations=[],
        ),
    ]
