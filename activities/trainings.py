"""Staff training, read by the listening centre for the listeners' continuing training (docs/product.md 6)."""

from decimal import Decimal

from django.db.models import QuerySet, Sum

from .models import Activity


def trainings(partnership, user, year: int | None = None) -> QuerySet[Activity]:
    """The trainings (`formation` activities) of a partnership that `user` attended, newest first."""
    found = Activity.objects.filter(partnership=partnership, kind=Activity.Kind.TRAINING, trained_staff=user)
    return found.filter(date__year=year) if year else found


def training_hours(partnership, users, year: int) -> dict[int, Decimal]:
    """Hours of training each user attended in `year` ({user id: hours}, 0 for none).

    Counts `formation` activities of the partnership dated that year that list the user among the
    staff trained; a training without hours counts 0.
    """
    ids = [getattr(u, "pk", u) for u in users]
    hours = dict.fromkeys(ids, Decimal(0))
    rows = (
        Activity.objects.filter(
            partnership=partnership, kind=Activity.Kind.TRAINING, date__year=year, trained_staff__in=ids
        )
        .values_list("trained_staff")
        .annotate(total=Sum("hours"))
    )
    for user_id, total in rows:
        hours[user_id] = total or Decimal(0)
    return hours
