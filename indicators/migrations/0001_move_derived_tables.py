# The engine's derived tables, moved from `programme` (programme/migrations/0009): the state only,
# over the existing tables and rows; 0002 renames the tables.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('partnerships', '0001_tenancy_networks_partnerships_structures_memberships'),
        ('people', '0002_person_registry_and_code_sequence'),
        ('programme', '0009_move_derived_tables'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.CreateModel(
            name='ActivityTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField()),
                ('kind', models.CharField(max_length=20)),
                ('activities', models.IntegerField(default=0)),
                ('f', models.IntegerField(default=0)),
                ('m', models.IntegerField(default=0)),
                ('x', models.IntegerField(default=0)),
                ('partnership', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='partnerships.partnership')),
                ('result', models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='programme.result')),
            ],
            options={
                'db_table': 'programme_activitytotal',
                'ordering': ['partnership', 'year', 'result', 'kind'],
                'constraints': [models.UniqueConstraint(fields=('partnership', 'year', 'result', 'kind'), name='activity_total_once'), models.UniqueConstraint(condition=models.Q(('result__isnull', True)), fields=('partnership', 'year', 'kind'), name='activity_total_unlinked_once')],
            },
        ),
        migrations.CreateModel(
            name='IndicatorMember',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period', models.PositiveSmallIntegerField()),
                ('sex', models.CharField(max_length=1)),
                ('hits', models.PositiveIntegerField()),
                ('indicator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='programme.indicator')),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='people.person')),
            ],
            options={
                'db_table': 'programme_indicatormember',
                'ordering': ['indicator', 'period', 'person'],
                'indexes': [models.Index(fields=['person'], name='indicator_member_person')],
                'constraints': [models.UniqueConstraint(fields=('indicator', 'period', 'person'), name='indicator_member_once')],
            },
        ),
        migrations.CreateModel(
            name='IndicatorValue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period', models.PositiveSmallIntegerField()),
                ('sex', models.CharField(max_length=1)),
                ('value', models.IntegerField(default=0)),
                ('indicator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='values', to='programme.indicator')),
            ],
            options={
                'db_table': 'programme_indicatorvalue',
                'ordering': ['indicator', 'period', 'sex'],
                'constraints': [models.UniqueConstraint(fields=('indicator', 'period', 'sex'), name='indicator_value_once')],
            },
        ),
                ],
            database_operations=[],
        ),
    ]
