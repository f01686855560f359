"""Every write to attendance and tallies (and activity dates they copy), in one transaction each.

The indicator engine will keep its derived tables in step by adding to these functions.
"""

from django.db import transaction
from django.db.models import F

from people.models import Person, TargetGroup

from .models import Activity, Attendance, Tally


@transaction.atomic
def record_attendance(activity: Activity, people: list[Person]) -> int:
    """Marks people present at an activity; idempotent. Returns the activity's attendance count.

    The caller has checked that every person belongs to the activity's partnership.
    """
    assert all(p.partnership_id == activity.partnership_id for p in people)
    present = set(activity.attendances.values_list("person_id", flat=True))
    Attendance.objects.bulk_create(
        [Attendance(activity=activity, person=p, date=activity.date) for p in people if p.pk not in present],
        ignore_conflicts=True,
    )
    return activity.attendances.count()


@transaction.atomic
def remove_attendance(activity: Activity, person: Person) -> int:
    """Removes one person's attendance; returns the activity's attendance count."""
    activity.attendances.filter(person=person).delete()
    return activity.attendances.count()


@transaction.atomic
def set_tally(activity: Activity, sex: str, target_group: TargetGroup | None, count: int) -> Tally:
    """Sets the number of unregistered people of a sex (and group) at an activity. `count` ≥ 0."""
    if count < 0:
        raise ValueError("a tally cannot be negative")
    tally, _ = Tally.objects.select_for_update().get_or_create(
        activity=activity,
        sex=sex,
        target_group=target_group,
        defaults={"count": count, "date": activity.date},
    )
    if tally.count != count:
        tally.count = count
        tally.save(update_fields=["count", "updated_at"])
    return tally


@transaction.atomic
def add_to_tally(activity: Activity, sex: str, target_group: TargetGroup | None, delta: int) -> Tally:
    """Adds `delta` (±1 from the big buttons) to a tally, never below zero."""
    tally, _ = Tally.objects.get_or_create(
        activity=activity, sex=sex, target_group=target_group, defaults={"count": 0, "date": activity.date}
    )
    rows = Tally.objects.filter(pk=tally.pk)
    if delta < 0:  # the database refuses a negative count: only decrement what is there
        rows = rows.filter(count__gte=-delta)
    rows.update(count=F("count") + delta)
    tally.refresh_from_db()
    return tally


@transaction.atomic
def move_activity(activity: Activity, date, end_date=None) -> Activity:
    """Changes an activity's dates, and the dates copied onto its attendance and tallies."""
    activity.date, activity.end_date = date, end_date
    activity.save()
    activity.attendances.update(date=date)
    activity.tallies.update(date=date)
    return activity


@transaction.atomic
def delete_activity(activity: Activity) -> None:
    """Deletes an activity with its attendance and tallies."""
    activity.delete()
