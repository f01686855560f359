"""Writes of the results framework that keep history or derived values consistent."""

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.locking import claim
from core.references import referenced_by
from partnerships.models import Partnership

from .models import GovernancePrinciple, Indicator, Measurement, MeasurementEvent, Result, Target

if TYPE_CHECKING:
    from .logframe import Plan


@transaction.atomic
def save_measurement(indicator: Indicator, year: int, sex: str, value: int, user) -> Measurement:
    """Enters or changes a draft figure: what was achieved in `year` (1 Jan–31 Dec).

    The year is one of the programme's, not after today's. `sex` is F or M for an indicator
    disaggregated by sex, T for one that is not. An approved figure is locked: reopen it first.
    """
    partnership = indicator.result.partnership
    if year not in partnership.years or year > timezone.localdate().year:
        raise ValidationError(
            _("Choisissez une année du programme (%(start)s–%(end)s), au plus tard l'année en cours.")
            % {"start": partnership.start_year, "end": partnership.end_year}
        )
    if sex not in (("F", "M") if indicator.by_sex else ("T",)):
        raise ValidationError(_("Ce sexe ne convient pas à cet indicateur."))
    measurement = (
        Measurement.objects.select_for_update().filter(indicator=indicator, period=year, sex=sex).first()
    )
    if measurement is None:
        measurement = Measurement.objects.create(indicator=indicator, period=year, sex=sex, value=value)
    elif measurement.status != Measurement.Status.DRAFT:
        raise ValidationError(
            _("Ce chiffre est soumis ou approuvé : il est verrouillé. Rouvrez-le pour le corriger.")
        )
    else:
        measurement.value = value
        measurement.version += 1
        measurement.save()
    MeasurementEvent.objects.create(measurement=measurement, action="saved", value=value, user=user)
    return measurement


def _transition(
    measurement: Measurement, expected: str, new: str, action: str, user, reason=""
) -> Measurement:
    fresh = Measurement.objects.select_for_update().get(pk=measurement.pk)
    if fresh.status != expected:
        raise ValidationError(_("Ce chiffre a changé d'état entre-temps ; rechargez la page."))
    fresh.status = new
    fresh.version += 1
    fresh.save()
    MeasurementEvent.objects.create(
        measurement=fresh, action=action, value=fresh.value, user=user, reason=reason
    )
    return fresh


@transaction.atomic
def submit_measurement(measurement: Measurement, user) -> Measurement:
    """Draft → submitted, by whoever may enter it."""
    return _transition(measurement, Measurement.Status.DRAFT, Measurement.Status.SUBMITTED, "submitted", user)


@transaction.atomic
def approve_measurement(measurement: Measurement, user) -> Measurement:
    """Submitted → approved (locked), by the coordinator or, for the centre's figures, the centre
    coordinator; never by whoever saved the value last or submitted it (four eyes)."""
    locked = Measurement.objects.select_for_update().get(pk=measurement.pk)
    if user.pk in locked.authors():
        raise ValidationError(
            _(
                "Vous avez saisi ou soumis ce chiffre : une autre personne doit l'approuver "
                "(principe des quatre yeux)."
            )
        )
    return _transition(locked, Measurement.Status.SUBMITTED, Measurement.Status.APPROVED, "approved", user)


@transaction.atomic
def reject_measurement(measurement: Measurement, user, reason: str) -> Measurement:
    """Submitted → draft again, with the approver's reason."""
    if not reason.strip():
        raise ValidationError(_("Indiquez pourquoi le chiffre est renvoyé."))
    return _transition(
        measurement, Measurement.Status.SUBMITTED, Measurement.Status.DRAFT, "rejected", user, reason
    )


@transaction.atomic
def reopen_measurement(measurement: Measurement, user, reason: str) -> Measurement:
    """Approved → draft for a correction; the reason is mandatory and kept in the history."""
    if not reason.strip():
        raise ValidationError(_("Une correction après approbation demande un motif."))
    return _transition(
        measurement, Measurement.Status.APPROVED, Measurement.Status.DRAFT, "reopened", user, reason
    )


def framework_is_empty(partnership: Partnership) -> bool:
    """No result, indicator or governance principle yet: a logframe may be imported."""
    return not (
        Result.objects.filter(partnership=partnership).exists()
        or GovernancePrinciple.objects.filter(partnership=partnership).exists()
    )


@transaction.atomic
def import_framework(partnership: Partnership, plan: "Plan") -> dict[str, int]:
    """Creates a checked logframe (programme/logframe.py) in a partnership whose framework is empty:
    results, indicators, targets and principles, all or nothing, then counts the indicators' values
    (engine.rebuild, once, in the same transaction). Returns how many of each were created."""
    from indicators import engine

    # Locks the partnership's row: two imports at once cannot both find the framework empty.
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()
    if plan.problems:
        raise ValidationError(_("Le fichier contient des erreurs : rien n'a été importé."))
    if not framework_is_empty(partnership):
        raise ValidationError(
            _(
                "Le cadre de résultats de ce partenariat n'est pas vide : un cadre logique ne s'importe que dans un cadre vide."
            )
        )
    results = {
        r["code"]: Result.objects.create(
            partnership=partnership,
            code=r["code"],
            level=r["level"],
            name=r["name"],
            order=r["order"],
            translations=r["translations"],
        )
        for r in plan.results
    }
    fields = [f.name for f in Indicator._meta.concrete_fields]
    indicators = {
        i["code"]: Indicator.objects.create(
            result=results[i["result"]], **{k: v for k, v in i.items() if k in fields and k != "result"}
        )
        for i in plan.indicators
    }
    Target.objects.bulk_create(
        Target(indicator=indicators[t["indicator"]], year=t["year"], sex=t["sex"], value=t["value"])
        for t in plan.targets
    )
    GovernancePrinciple.objects.bulk_create(
        GovernancePrinciple(
            partnership=partnership,
            code=p["code"],
            name=p["name"],
            order=p["order"],
            translations=p["translations"],
        )
        for p in plan.principles
    )
    engine.rebuild(partnership)
    return {
        "results": len(results),
        "indicators": len(indicators),
        "targets": len(plan.targets),
        "principles": len(plan.principles),
    }


@transaction.atomic
def delete_result(result: Result) -> None:
    """Deletes a result (or the outcome) that holds no indicator and no activity; refuses otherwise."""
    result = Result.objects.select_for_update().get(pk=result.pk)
    names = [str(name) for name in referenced_by(result)]
    if names:
        raise ValidationError(
            _("Ce résultat ne peut pas être supprimé : %(holders)s y font référence.")
            % {"holders": ", ".join(names)}
        )
    result.delete()


def target_keys(indicator: Indicator) -> list[tuple[int | None, str]]:
    """The (year, sex) of the targets an indicator may have: each year of the programme (annual) or
    the whole programme, None (cumulative); F and M (by sex) or T (total)."""
    partnership = indicator.result.partnership
    years: list[int | None] = (
        list(partnership.years) if indicator.period == Indicator.Period.ANNUAL else [None]
    )
    sexes = ["F", "M"] if indicator.by_sex else ["T"]
    return [(year, sex) for year in years for sex in sexes]


@transaction.atomic
def set_targets(
    indicator: Indicator, targets: dict[tuple[int | None, str], int | None], version: int
) -> None:
    """Replaces an indicator's targets with `targets` ({(year, sex): value}, None or absent: no
    target). Keys must be those of `target_keys`, values whole numbers ≥ 0; a target of another
    period or sex (left from an earlier definition) is removed. Raises Stale when the indicator was
    saved since `version` (docs/security.md 21), ValidationError on a bad key or value; writes nothing
    then. Targets are read by every surface as they are (indicators/figures.py): no derived value."""
    allowed = set(target_keys(indicator))
    for key, value in targets.items():
        if key not in allowed:
            raise ValidationError(_("Cette cible ne correspond ni aux années ni aux sexes de l'indicateur."))
        if value is not None and (not isinstance(value, int) or value < 0):
            raise ValidationError(_("Une cible est un nombre entier positif ou nul."))
    claim(indicator, version)
    kept = {key: value for key, value in targets.items() if value is not None}
    stale = [t.pk for t in indicator.targets.all() if (t.year, t.sex) not in kept]
    Target.objects.filter(pk__in=stale).delete()
    for (year, sex), value in kept.items():
        Target.objects.update_or_create(indicator=indicator, year=year, sex=sex, defaults={"value": value})
