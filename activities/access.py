"""The only door to activities, their attendance, tallies, visits and partners.

- Anyone holding a role in the partnership (including the partner commune and the network) sees its
  activities and their counts, never who attended.
- The coordinator writes every activity; structure staff write their structure's activities and see
  who attended them. "Missing" and "forbidden" are the same 404.
"""

from django.db.models import QuerySet
from django.http import Http404

from partnerships.access import Access, access_for, get_partnership_for_user
from partnerships.models import Partnership, Structure

from .models import Activity, Decision, Visit


def may_write(access: Access, activity: Activity) -> bool:
    """Coordinator: every activity of the partnership; staff: the activities of their structure."""
    if access.coordinates:
        return True
    if not activity.structure_id:
        return False
    return access.in_structure(activity.structure_id)


def may_create(access: Access, structure) -> bool:
    """Coordinator: any activity; staff: only one of their own structure."""
    if access.coordinates:
        return True
    if structure is None:
        return False
    return access.in_structure(structure.pk)


def get_activity_for_user(user, slug: str, pk: int) -> tuple[Activity, Access]:
    """An activity of a partnership the user may see; 404 otherwise."""
    partnership, access = get_partnership_for_user(user, slug)
    activity = (
        Activity.objects.visible_to(user)
        .select_related("structure", "partnership")
        .filter(partnership=partnership, pk=pk)
        .first()
    )
    if activity is None:
        raise Http404
    return activity, access


def get_activity_for_writer(user, slug: str, pk: int) -> tuple[Activity, Access]:
    """An activity the user may write (attendance, tallies, decisions); 404 for anyone else."""
    activity, access = get_activity_for_user(user, slug, pk)
    if not may_write(access, activity):
        raise Http404
    return activity, access


def get_activity_for_api(user, pk: int) -> tuple[Activity | None, Access | None]:
    """For the API: (activity, access) if the user may see it, (None, None) if not (→ 404)."""
    activity = Activity.objects.visible_to(user).select_related("partnership").filter(pk=pk).first()
    if activity is None:
        return None, None
    return activity, access_for(user, activity.partnership)


def get_visits_for_user(user, slug: str) -> tuple[Partnership, Access, QuerySet[Visit], list[Structure]]:
    """The visits log: the coordinator and the staff of a migrant office; 404 for anyone else."""
    partnership, access = get_partnership_for_user(user, slug)
    writable = list(access.work_structures.filter(kind="bureau-migrants"))
    if not writable and not access.coordinates:
        raise Http404
    visits = Visit.objects.visible_to(user).filter(partnership=partnership)
    return partnership, access, visits, writable


def decisions_due(user, until) -> list[Decision]:
    """The steering committees' decisions not yet done whose due date is `until` or earlier (due
    soon or overdue), of the activities `user` writes (`may_write`: the coordinator for the
    partnership's committees). For "Mon travail"."""
    due = []
    for partnership in Partnership.objects.visible_to(user):
        access = access_for(user, partnership)
        rows = Decision.objects.filter(
            activity__partnership=partnership, done=False, due_date__lte=until
        ).select_related("activity__partnership", "activity__structure")
        due += [decision for decision in rows if may_write(access, decision.activity)]
    return sorted(due, key=lambda decision: (decision.due_date, decision.pk))
