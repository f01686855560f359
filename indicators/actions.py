"""Writes that recompute derived values."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.locking import claim
from programme.models import Indicator

from . import engine


@transaction.atomic
def save_indicator(indicator: Indicator, version: int | None = None) -> Indicator:
    """Saves an indicator's definition and recomputes its partnership's values in the same transaction.

    Coordinator only (checked by programme/access.py). An edit raises Stale, writing nothing, when
    someone saved the definition since `version`, the one its form was read at (docs/security.md 21).
    A definition the engine cannot count as written (`engine.definition_errors`: a filter its source
    does not read, an unknown code) raises ValidationError, writing nothing.
    """
    errors = engine.definition_errors(indicator)
    if errors:
        raise ValidationError(errors)
    if indicator.pk is not None:
        claim(indicator, indicator.version if version is None else version)
    indicator.save()
    engine.rebuild(indicator.result.partnership)
    return indicator


@transaction.atomic
def delete_indicator(indicator: Indicator) -> None:
    """Deletes an indicator and its derived values; refused while it holds figures entered by hand
    (their history is kept), deleting nothing."""
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if indicator.measurements.exists():
        raise ValidationError(
            _(
                "Cet indicateur a des chiffres saisis : il ne peut pas être supprimé (leur historique est gardé)."
            )
        )
    indicator.delete()  # its IndicatorMember and IndicatorValue rows go with it (CASCADE)
