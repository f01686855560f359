"""Writes that recompute derived values."""

from django.db import transaction

from programme.models import Indicator

from . import engine


@transaction.atomic
def save_indicator(indicator: Indicator) -> Indicator:
    """Saves an indicator's definition and recomputes its partnership's values in the same transaction.

    Coordinator only (checked by programme/access.py).
    """
    indicator.save()
    engine.rebuild(indicator.result.partnership)
    return indicator
