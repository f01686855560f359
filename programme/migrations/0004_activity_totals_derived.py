"""ActivityTotal, the engine's derived table of activities and participants per partnership, year,
result or none and kind, created and filled from what is already recorded.

Squashed from 0004–0008 (issue 15, item 9), which created ActivityTally (each activity's tallies
summed by sex), filled it, created and filled ActivityTotal and dropped ActivityTally again: the
table that came and went is left out, and with it its fill (0005), a no-op once the table it fills
is dropped in the same step. ActivityTotal's fill (0007) is kept as it was: a database at 0003 with
activities gets its totals here, as `engine.rebuild` would compute them; going back empties the
table. A database that applied 0004–0008 records this migration as applied (`replaces`).
"""

from collections import defaultdict

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, F, Sum
from django.db.models.functions import ExtractYear

COLUMNS = {"A": "activities", "F": "f", "M": "m", "X": "x"}


def fill(apps, schema_editor):
    Activity = apps.get_model("activities", "Activity")
    Attendance = apps.get_model("activities", "Attendance")
    Tally = apps.get_model("activities", "Tally")
    ActivityTotal = apps.get_model("programme", "ActivityTotal")

    def key(prefix):
        return {
            "t_p": F(f"{prefix}partnership_id"),
            "t_y": ExtractYear(f"{prefix}date"),
            "t_r": F(f"{prefix}results"),
            "t_k": F(f"{prefix}kind"),
        }

    totals = defaultdict(lambda: defaultdict(int))
    queries = [
        Activity.objects.values(**key("")).annotate(n=Count("id")),
        Tally.objects.values(**key("activity__"), t_s=F("sex")).annotate(n=Sum("count")),
        Attendance.objects.values(**key("activity__"), t_s=F("person__sex")).annotate(n=Count("id")),
    ]
    for query in queries:
        for row in query.order_by():
            column = COLUMNS[row.get("t_s", "A")]
            totals[(row["t_p"], row["t_y"], row["t_r"], row["t_k"])][column] += row["n"]
    ActivityTotal.objects.bulk_create(
        ActivityTotal(partnership_id=p, year=y, result_id=r, kind=k, **sums)
        for (p, y, r, k), sums in totals.items()
    )


def empty(apps, schema_editor):
    apps.get_model("programme", "ActivityTotal").objects.all().delete()


class Migration(migrations.Migration):
    replaces = [
        ("programme", "0004_activity_tally_derived_sums"),
        ("programme", "0005_fill_activity_tally"),
        ("programme", "0006_activity_total_derived"),
        ("programme", "0007_fill_activity_total"),
        ("programme", "0008_drop_activity_tally"),
    ]

    dependencies = [
        ("activities", "0002_activity_indexes_partnership_kind_date"),
        ("partnerships", "0001_tenancy_networks_partnerships_structures_memberships"),
        ("programme", "0003_indicator_source_forums"),
    ]

    operations = [
        migrations.CreateModel(
            name="ActivityTotal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.PositiveSmallIntegerField()),
                ("kind", models.CharField(max_length=20)),
                ("activities", models.IntegerField(default=0)),
                ("f", models.IntegerField(default=0)),
                ("m", models.IntegerField(default=0)),
                ("x", models.IntegerField(default=0)),
                (
                    "partnership",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="partnerships.partnership"
                    ),
                ),
                (
                    "result",
                    models.ForeignKey(
                        null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="programme.result"
                    ),
                ),
            ],
            options={
                "ordering": ["partnership", "year", "result", "kind"],
                "constraints": [
                    models.UniqueConstraint(fields=("partnership", "year", "result", "kind"), name="activity_total_once"),
                    models.UniqueConstraint(
                        condition=models.Q(("result__isnull", True)),
                        fields=("partnership", "year", "kind"),
                        name="activity_total_unlinked_once",
                    ),
                ],
            },
        ),
        migrations.RunPython(fill, empty),
    ]
