"""Writes that recompute derived values."""

from django.db import transaction

from core.locking import claim
from programme.models import Indicator

from . import engine


@transaction.atomic
def save_indicator(indicator: Indicator, version: int | None = None) -> Indicator:
    """Saves an indicator's definition and recomputes its partnership's values in the same transaction.

    Coordinator only (checked by programme/access.py). An edit raises Stale, writing nothing, when
    someone saved the definition since `version`, the one its form was read at (docs/security.md 21).
    """
    if indicator.pk is not None:
        claim(indicator, indicator.version if version is None else version)
    indicator.save()
    engine.rebuild(indicator.result.partnership)
    return indicator
