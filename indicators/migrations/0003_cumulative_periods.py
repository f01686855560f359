"""Derived values: PROGRAMME (0) rows become cumulative periods through each year of the programme.

Computed from the yearly rows already there, as the engine does: a person's cumulative row sums her
yearly rows through that year; a sum's cumulative value sums the yearly values. Going back keeps
only the rows through the last year, as PROGRAMME.
"""

from collections import defaultdict

from django.db import migrations

CUMULATIVE = 10000  # programme/models.py
DERIVED = ("people", "participations", "activities")


def _indicators(apps):
    Indicator = apps.get_model("programme", "Indicator")
    return Indicator.objects.filter(source__in=DERIVED).values_list(
        "id", "source", "result__partnership__start_year", "result__partnership__end_year"
    )


def forward(apps, schema_editor):
    IndicatorMember = apps.get_model("indicators", "IndicatorMember")
    IndicatorValue = apps.get_model("indicators", "IndicatorValue")
    for indicator_id, source, start, end in _indicators(apps):
        IndicatorMember.objects.filter(indicator_id=indicator_id, period=0).delete()
        IndicatorValue.objects.filter(indicator_id=indicator_id, period=0).delete()
        values = defaultdict(int)
        if source == "people":
            hits = defaultdict(int)  # (year through, person, sex) -> hits
            yearly = IndicatorMember.objects.filter(indicator_id=indicator_id, period__gte=start, period__lte=end)
            for year, person_id, sex, n in yearly.values_list("period", "person_id", "sex", "hits"):
                for through in range(year, end + 1):
                    hits[(through, person_id, sex)] += n
            IndicatorMember.objects.bulk_create(
                IndicatorMember(indicator_id=indicator_id, period=CUMULATIVE + y, person_id=p, sex=s, hits=n)
                for (y, p, s), n in hits.items()
            )
            for y, _p, s in hits:
                values[(y, s)] += 1
        else:
            yearly = IndicatorValue.objects.filter(indicator_id=indicator_id, period__gte=start, period__lte=end)
            for year, sex, n in yearly.values_list("period", "sex", "value"):
                for through in range(year, end + 1):
                    values[(through, sex)] += n
        IndicatorValue.objects.bulk_create(
            IndicatorValue(indicator_id=indicator_id, period=CUMULATIVE + y, sex=s, value=n)
            for (y, s), n in values.items()
        )


def backward(apps, schema_editor):
    IndicatorMember = apps.get_model("indicators", "IndicatorMember")
    IndicatorValue = apps.get_model("indicators", "IndicatorValue")
    for indicator_id, _source, _start, end in _indicators(apps):
        for model in (IndicatorMember, IndicatorValue):
            rows = model.objects.filter(indicator_id=indicator_id, period__gte=CUMULATIVE)
            rows.exclude(period=CUMULATIVE + end).delete()
            rows.update(period=0)


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0002_rename_derived_tables"),
    ]

    operations = [migrations.RunPython(forward, backward)]
