"""Fills ActivityTotal (activities and participants per partnership, year, result or none, kind)
from the activities, result links, tallies and attendance already recorded, as engine.rebuild does."""

from collections import defaultdict

from django.db import migrations
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
    dependencies = [
        ("activities", "0002_activity_index_partnership_date_kind"),
        ("programme", "0006_activity_total_derived"),
    ]

    operations = [migrations.RunPython(fill, empty)]
