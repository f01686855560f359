"""ActivityTally (per-activity tally sums) is replaced by ActivityTotal: nothing reads it any more.
Going back recreates it empty: `manage.py rebuild_indicators` on the older code refills it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("programme", "0007_fill_activity_total"),
    ]

    operations = [
        migrations.DeleteModel(
            name="ActivityTally",
        ),
    ]
