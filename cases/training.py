"""Continuing training of the listeners (formation continue des écoutantes), read from activities.

The `activities` app is being built in parallel; until it is installed, `training_hours` returns None
and the centre's page says "not available yet". The expected shape, to be checked when it lands:
`activities.models.Activity` (partnership, kind, date, duration_hours) with staff attendance
`Activity.staff` (users) — adapt `_hours_from_activities` then.
"""

from collections import defaultdict

from django.apps import apps


def training_hours(partnership, listeners) -> dict | None:
    """{listener: {year: hours}} from the activities of kind `formation`; None while activities is absent."""
    if not apps.is_installed("activities"):
        return None
    try:
        return _hours_from_activities(partnership, listeners)
    except (LookupError, AttributeError, ValueError, TypeError):
        # The activities app does not (yet) have the expected shape: say "not available" rather than fail.
        return None


def _hours_from_activities(partnership, listeners) -> dict:
    from django.core.exceptions import FieldError

    activity = apps.get_model("activities", "Activity")
    hours = defaultdict(lambda: defaultdict(float))
    try:
        rows = activity.objects.filter(
            partnership=partnership, kind="formation", staff__in=listeners
        ).values_list("staff", "date", "duration_hours")
        for user_id, date, duration in rows:
            hours[user_id][date.year] += float(duration or 0)
    except FieldError as exc:
        raise ValueError(str(exc)) from exc
    return {user: dict(sorted(hours[user.pk].items())) for user in listeners}
