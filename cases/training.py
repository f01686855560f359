"""Continuing training of the listeners (formation continue des écoutantes), read from activities.

Trainings are `formation` activities of the partnership listing the staff who attended
(`activities.trainings`); this module only arranges them per listener and year for the centre's page.
"""

from collections import defaultdict

from django.db.models import Sum


def training_hours(partnership, listeners) -> dict:
    """{listener: {year: hours}} from the partnership's `formation` activities she attended."""
    from activities.models import Activity

    rows = (
        Activity.objects.filter(
            partnership=partnership, kind=Activity.Kind.TRAINING, trained_staff__in=listeners
        )
        .values_list("trained_staff", "date__year")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    hours = defaultdict(dict)
    for user_id, year, total in rows:
        hours[user_id][year] = float(total or 0)
    return {user: dict(sorted(hours[user.pk].items())) for user in listeners}
