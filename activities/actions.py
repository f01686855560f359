"""Every write to attendance, tallies and result links (and activity dates they copy), in one
transaction each.

Each one keeps the indicator engine's derived tables in step, in the same transaction.

Nothing counts before its date: an activity may be planned in the future, but its attendance and
tallies are recorded once its day has come (today in the project's time zone), and an activity that
holds some cannot be moved after today. The indicators then never count a future participation.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.locking import claim
from indicators import engine
from partnerships.models import Membership, Organisation, PartnerRole, Structure
from people.models import Person, TargetGroup
from programme.models import GovernancePrinciple, Result

from .models import Activity, ActivityPartner, Attendance, Tally, Visit


class NotYetHeld(ValueError):
    """Attendance or tallies before the activity's date; the message says so in the user's language."""


def _held_on(activity: Activity) -> datetime.date:
    """Locks the activity's row and answers its date, refusing attendance and tallies before it.

    The lock orders this write after a concurrent move of the activity (which holds the same lock),
    so the date checked is the date the attendance gets.
    """
    day = Activity.objects.select_for_update().filter(pk=activity.pk).values_list("date", flat=True).first()
    day = day or activity.date
    check_held(day)
    activity.date = day  # the engine counts in the year of the date under the lock
    return day


def check_held(day: datetime.date) -> None:
    """Raises NotYetHeld if an activity of `day` has not taken place yet (the pages ask first, before
    writing anything else; the actions ask again under the activity's lock)."""
    if day > timezone.localdate():
        raise NotYetHeld(
            _(
                "Cette activité est prévue le %(date)s : les présences et les comptages "
                "s'enregistrent à partir de ce jour-là."
            )
            % {"date": f"{day:%d/%m/%Y}"}
        )


def _still_held(activity: Activity) -> None:
    """Refuses to move an activity holding attendance or tallies after today (inside the move's
    transaction: the whole change is rolled back)."""
    if activity.date > timezone.localdate() and (activity.attendances.exists() or activity.tallies.exists()):
        raise NotYetHeld(
            _(
                "Cette activité a des présences ou des comptages : sa date ne peut pas passer après "
                "aujourd'hui (%(today)s)."
            )
            % {"today": f"{timezone.localdate():%d/%m/%Y}"}
        )


class OutsidePartnership(ValueError):
    """A structure, result, partner, principle, trained person or attendee given for an activity is
    not of its partnership: nothing was written. The pages' forms offer only the partnership's own;
    this is the action's own check, for every other caller."""


def _of_partnership(activity: Activity, **given: list) -> None:
    """Raises OutsidePartnership unless every object given belongs to the activity's partnership.
    `given` maps a kind (structure, results, principles, people, partners, trained_staff) to its
    objects."""
    partnership = activity.partnership_id
    for kind, objects in given.items():
        objects = [o for o in objects if o is not None]
        if not objects:
            continue
        if kind == "partners":
            ok = set(
                PartnerRole.objects.filter(partnership_id=partnership).values_list(
                    "organisation_id", flat=True
                )
            )
        elif kind == "trained_staff":
            ok = set(Membership.objects.filter(partnership_id=partnership).values_list("user_id", flat=True))
        else:  # structure, douar, results, principles, people: rows of one partnership
            ok = {o.pk for o in objects if o.partnership_id == partnership}
        stranger = next((o for o in objects if o.pk not in ok), None)
        if stranger is not None:
            raise OutsidePartnership(
                _("« %(name)s » n'appartient pas au partenariat de cette activité : rien n'a été enregistré.")
                % {"name": stranger}
            )


def _no_centre_douar(activity: Activity) -> None:
    """Raises OutsidePartnership for a listening centre's activity given a douar: where the centre
    works is never told finer than the commune (docs/security.md 9), nor counted by douar."""
    structure = activity.structure
    if activity.douar_id and structure is not None and structure.kind == Structure.Kind.LISTENING_CENTRE:
        raise OutsidePartnership(
            _("Une activité du centre d'écoute ne dit pas son douar : rien n'a été enregistré.")
        )


@transaction.atomic
def create_activity(
    activity: Activity,
    *,
    results: Iterable[Result] = (),
    partners: Iterable[Organisation] = (),
    principles: Iterable[GovernancePrinciple] = (),
    trained_staff: Iterable[User] = (),
) -> Activity:
    """Saves a new (unsaved) activity with its result links, partners involved, governance principles
    and trained staff, and counts it — all or nothing: a failure anywhere leaves no activity and no
    link. Raises OutsidePartnership, writing nothing, for any of them not of the activity's
    partnership. The caller has checked the user may create it."""
    if activity.pk is not None:
        raise ValueError("create_activity saves a new activity; update_activity edits one")
    results, partners = list(results), list(partners)
    principles, trained_staff = list(principles), list(trained_staff)
    _of_partnership(
        activity,
        structure=[activity.structure],
        douar=[activity.douar],
        results=results,
        partners=partners,
        principles=principles,
        trained_staff=trained_staff,
    )
    _no_centre_douar(activity)
    activity.save()
    engine.activity_created(activity)
    if results:
        with engine.results_changing(activity):
            activity.results.set(results)
    if principles:
        activity.principles.set(principles)
    if trained_staff:
        activity.trained_staff.set(trained_staff)
    ActivityPartner.objects.bulk_create(
        [ActivityPartner(activity=activity, organisation=o) for o in partners]
    )
    return activity


@transaction.atomic
def set_results(activity: Activity, results: Iterable[Result]) -> None:
    """Links an activity to exactly `results` (the annual report's totals follow). The caller has
    checked the user may write the activity. Raises OutsidePartnership, writing nothing, for a
    result of another partnership."""
    results = list(results)
    _of_partnership(activity, results=results)
    with engine.results_changing(activity):
        activity.results.set(results)


@transaction.atomic
def record_attendance(activity: Activity, people: list[Person]) -> int:
    """Marks people present at an activity; idempotent. Returns the activity's attendance count.

    Raises OutsidePartnership, writing nothing, for a person of another partnership, and NotYetHeld
    before the activity's date. The caller has checked the user may write the activity.
    """
    _of_partnership(activity, people=people)
    # The lock also makes two concurrent entries of the same person count once in the indicators.
    day = _held_on(activity)
    present = set(activity.attendances.values_list("person_id", flat=True))
    new = list({p.pk: p for p in people if p.pk not in present}.values())
    Attendance.objects.bulk_create([Attendance(activity=activity, person=p, date=day) for p in new])
    engine.attendance_added(activity, new)
    return len(present) + len(new)


@transaction.atomic
def remove_attendance(activity: Activity, person: Person) -> int:
    """Removes one person's attendance; returns the activity's attendance count."""
    deleted, _ = activity.attendances.filter(person=person).delete()
    if deleted:
        engine.attendance_removed(activity, [person])
    return activity.attendances.count()


class TallyConflict(Exception):
    """Someone saved other numbers in these tallies since the form was read: nothing was written.
    `current` maps each row in conflict, (sex, target group id or None), to its stored number."""

    def __init__(self, current: dict):
        super().__init__(current)
        self.current = current


@transaction.atomic
def set_tallies(activity: Activity, counts: dict, seen: dict | None = None) -> dict:
    """Sets several tallies of an activity at once, to absolute numbers: `counts` maps (sex, target
    group or None) to a number ≥ 0. Absolute, so a replay (a retried or double submit, a resend after
    a lost answer) finds its numbers there and changes nothing.

    `seen` (some of the same keys): the numbers the form showed. A row left as seen is not written; a
    row changed whose stored number is neither the seen one nor the new one was changed by someone
    else meanwhile: TallyConflict, nothing written (docs/security.md 21's optimistic locking, on the
    numbers themselves: a tally has no version). Rows without a seen number are written as given.
    Raises NotYetHeld before the activity's date. Returns the rows written, (sex, group) → new
    number. The indicators follow in the same transaction."""
    if any(n < 0 for n in counts.values()):
        raise ValueError("a tally cannot be negative")
    seen = seen or {}
    counts = {key: n for key, n in counts.items() if seen.get(key) != n}
    day = _held_on(activity)  # the activity's lock orders every tally write of it
    stored = {(t.sex, t.target_group_id): t for t in activity.tallies.all()}

    def row(key):
        return stored.get((key[0], key[1].pk if key[1] else None))

    def now(key):
        return row(key).count if row(key) else 0

    changes = {key: n for key, n in counts.items() if now(key) != n}
    conflicts = {
        (sex, group.pk if group else None): now((sex, group))
        for (sex, group) in changes
        if (sex, group) in seen and now((sex, group)) != seen[(sex, group)]
    }
    if conflicts:
        raise TallyConflict(conflicts)
    for (sex, group), n in changes.items():
        old, tally = now((sex, group)), row((sex, group))
        if tally is None:
            Tally.objects.create(activity=activity, sex=sex, target_group=group, count=n, date=day)
        else:
            tally.count = n
            tally.save(update_fields=["count", "updated_at"])
        engine.tally_changed(activity, sex, group.code if group else None, n - old)
    return changes


def set_tally(activity: Activity, sex: str, target_group: TargetGroup | None, count: int) -> None:
    """Sets the number of unregistered people of a sex (and group) at an activity. `count` ≥ 0.
    Raises NotYetHeld before the activity's date."""
    set_tallies(activity, {(sex, target_group): count})


@transaction.atomic
def add_to_tally(activity: Activity, sex: str, target_group: TargetGroup | None, delta: int) -> Tally:
    """Adds `delta` (±1 from the big buttons) to a tally, never below zero. Raises NotYetHeld before
    the activity's date."""
    day = _held_on(activity)
    tally, _created = Tally.objects.get_or_create(
        activity=activity, sex=sex, target_group=target_group, defaults={"count": 0, "date": day}
    )
    rows = Tally.objects.filter(pk=tally.pk)
    if delta < 0:  # the database refuses a negative count: only decrement what is there
        rows = rows.filter(count__gte=-delta)
    if rows.update(count=F("count") + delta):
        engine.tally_changed(activity, sex, target_group.code if target_group else None, delta)
    tally.refresh_from_db()
    return tally


@transaction.atomic
def move_activity(activity: Activity, date, end_date=None) -> Activity:
    """Changes an activity's dates, and the dates copied onto its attendance and tallies. Raises
    NotYetHeld (nothing changed) to move one holding attendance or tallies after today."""
    with engine.activity_changing(activity):
        activity.date, activity.end_date = date, end_date
        _still_held(activity)
        activity.save()
        activity.attendances.update(date=date)
        activity.tallies.update(date=date)
    return activity


# What an edit may change on the activity's own row (its links are given apart).
EDITABLE = frozenset({"kind", "title", "structure", "date", "end_date", "place", "douar", "hours", "topics"})


@transaction.atomic
def update_activity(
    activity: Activity,
    *,
    fields: dict,
    version: int,
    results: Iterable[Result] | None = None,
    partners: Iterable[Organisation] | None = None,
    principles: Iterable[GovernancePrinciple] | None = None,
    trained_staff: Iterable[User] | None = None,
) -> Activity:
    """Saves an edit of an activity: `fields` (names of EDITABLE → new values) and, where given, its
    result links, partners involved, principles and trained staff become exactly those (None: left
    as they are). Its kind, structure or dates may change, so the indicators are recounted around it;
    the dates copied onto attendance and tallies follow.

    `version` is the one the edit was read at: Stale, writing nothing, when someone saved the
    activity since (docs/security.md 21). NotYetHeld (nothing changed) to move one holding attendance or
    tallies after today; OutsidePartnership (nothing changed) for a structure, result, partner,
    principle or person not of its partnership. The caller has checked the user may write it."""
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValueError(f"update_activity cannot change {sorted(unknown)}")
    given: dict[str, Iterable[Any] | None] = {
        "results": results,
        "partners": partners,
        "principles": principles,
        "trained_staff": trained_staff,
    }
    links = {name: list(objects) for name, objects in given.items() if objects is not None}
    for name, value in fields.items():
        setattr(activity, name, value)
    _of_partnership(activity, structure=[activity.structure], douar=[activity.douar], **links)
    _no_centre_douar(activity)
    claim(activity, version)
    with engine.activity_changing(Activity.objects.get(pk=activity.pk)):
        _still_held(activity)
        activity.save()
        for name in ("results", "principles", "trained_staff"):
            if name in links:
                getattr(activity, name).set(links[name])
        activity.attendances.update(date=activity.date)
        activity.tallies.update(date=activity.date)
    if "partners" in links:
        activity.partner_roles.exclude(organisation__in=links["partners"]).delete()
        present = set(activity.partner_roles.values_list("organisation_id", flat=True))
        ActivityPartner.objects.bulk_create(
            [
                ActivityPartner(activity=activity, organisation=o)
                for o in links["partners"]
                if o.pk not in present
            ]
        )
    return activity


@transaction.atomic
def delete_activity(activity: Activity) -> None:
    """Deletes an activity with its attendance and tallies."""
    with engine.activity_changing(activity):
        activity.delete()


def record_visit(form, partnership, user) -> Visit:
    """Saves the visit a valid `activities.forms.VisitForm` holds in the migrant office's log: the
    person's sex when a code was given. The visits page and collect/intake.py both save through
    here; the caller has checked the user may record visits of the form's structures."""
    visit = form.save(commit=False)
    visit.partnership, visit.person, visit.sex = (
        partnership,
        form.cleaned_data["person"],
        form.cleaned_data["sex"],
    )
    visit.created_by = user
    visit.save()
    return visit
