# The derived tables take the names of their new app (their rows are kept).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('indicators', '0001_move_derived_tables'),
    ]

    operations = [
        migrations.AlterModelTable(
            name='activitytotal',
            table=None,
        ),
        migrations.AlterModelTable(
            name='indicatormember',
            table=None,
        ),
        migrations.AlterModelTable(
            name='indicatorvalue',
            table=None,
        ),
    ]
