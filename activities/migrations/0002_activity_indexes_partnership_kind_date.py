"""The activity's indexes by partnership then date and kind, and by partnership then kind and date.

Squashed from 0002 and 0003 (issue 15, item 9). 0003 depended on programme's 0008 only because it
was the newest migration when it was made: an index on activities needs nothing of programme, and
keeping that dependency would make a cycle with programme's squash, which depends on this one.
A database that applied 0002 and 0003 records this migration as applied (`replaces`).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [
        ("activities", "0002_activity_index_partnership_date_kind"),
        ("activities", "0003_activity_index_partnership_kind_date"),
    ]

    dependencies = [
        ("activities", "0001_activities_attendance_tallies_visits_partners"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="activity",
            name="activity_partnership_date",
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(fields=["partnership", "date", "kind"], name="activity_partnership_date_kind"),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(fields=["partnership", "kind", "date"], name="activity_partnership_kind_date"),
        ),
    ]
