"""Manual figures are entered per year (docs/decisions.md, "Manual figures").

Forward: a figure of the old period 0 ("the whole programme") moves to the year it was created in,
clamped to the programme's years; if that year already holds a figure of the same indicator and
sex, to the nearest free year before it, else after it. A figure of an indicator not disaggregated
by sex that was stored as F or M (the old form defaulted to "femmes") becomes T (total) when its
year has no T figure yet. Each change leaves a MOVED event (no user: nobody did it) whose reason
says what moved, so the history shows it and the reverse can undo exactly these changes.
"""

import re
from zoneinfo import ZoneInfo

from django.db import migrations

PREFIX = "Migration 0010"
MOVE = re.compile(r"période (\d+) → (\d+)")
SEX = re.compile(r"sexe ([FMT]) → ([FMT])")


def _free_year(taken, wanted, first, last):
    for year in [*range(wanted, first - 1, -1), *range(wanted + 1, last + 1)]:
        if year not in taken:
            return year
    return None


def to_years(apps, schema_editor):
    Measurement = apps.get_model("programme", "Measurement")
    MeasurementEvent = apps.get_model("programme", "MeasurementEvent")
    rows = Measurement.objects.select_related("indicator__result__partnership").order_by("pk")
    for m in rows:
        partnership = m.indicator.result.partnership
        changes = []
        period, sex = m.period, m.sex
        siblings = Measurement.objects.filter(indicator_id=m.indicator_id).exclude(pk=m.pk)
        if period == 0:
            created = m.created_at.astimezone(ZoneInfo(partnership.timezone)).year
            wanted = min(max(created, partnership.start_year), partnership.end_year)
            taken = set(siblings.filter(sex=sex).values_list("period", flat=True))
            period = _free_year(taken, wanted, partnership.start_year, partnership.end_year)
            if period is None:
                raise RuntimeError(
                    f"Chiffre saisi {m.pk} ({m.indicator.code}) : toutes les années du programme ont "
                    "déjà un chiffre de même sexe ; déplacez-le à la main avant cette migration."
                )
            changes.append(f"période 0 → {period}")
        if not m.indicator.by_sex and sex != "T" and not siblings.filter(period=period, sex="T").exists():
            changes.append(f"sexe {sex} → T")
            sex = "T"
        if changes:
            Measurement.objects.filter(pk=m.pk).update(period=period, sex=sex)
            MeasurementEvent.objects.create(
                measurement_id=m.pk,
                action="moved",
                value=m.value,
                user=None,
                reason=f"{PREFIX} : " + " ; ".join(changes) + ".",
            )


def back(apps, schema_editor):
    Measurement = apps.get_model("programme", "Measurement")
    MeasurementEvent = apps.get_model("programme", "MeasurementEvent")
    for event in MeasurementEvent.objects.filter(action="moved", reason__startswith=PREFIX):
        fields = {}
        if move := MOVE.search(event.reason):
            fields["period"] = int(move.group(1))
        if sex := SEX.search(event.reason):
            fields["sex"] = sex.group(1)
        Measurement.objects.filter(pk=event.measurement_id).update(**fields)
        event.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("programme", "0010_measurement_moved_event"),
        ("partnerships", "0001_tenancy_networks_partnerships_structures_memberships"),
    ]

    operations = [migrations.RunPython(to_years, back)]
