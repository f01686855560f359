"""Every write to the registry: creating, editing, merging and deleting people.

Each action runs in one transaction, and keeps the indicator engine's derived tables up to date in
that same transaction. Callers check access first (people/access.py).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from core.locking import claim
from indicators import engine
from partnerships.models import Douar, Partnership, Structure

from .models import Person, PersonSequence, TargetGroup


def next_code(partnership: Partnership) -> tuple[int, str]:
    """The next number and code of a partnership (`BLF-000123`), without races.

    The sequence row is bumped by a single UPDATE (row-locked on PostgreSQL, serialised on SQLite)
    inside the caller's transaction, so two concurrent registrations never get the same number.
    """
    PersonSequence.objects.get_or_create(partnership=partnership)
    PersonSequence.objects.filter(partnership=partnership).update(last=F("last") + 1)
    number = PersonSequence.objects.values_list("last", flat=True).get(partnership=partnership)
    return number, f"{partnership.code_prefix}-{number:06d}"


def possible_duplicates(
    structure: Structure | None, first_name: str, last_name: str, birth_year: int
) -> QuerySet[Person]:
    """People of the same structure with the same (normalised) name and birth year."""
    probe = Person(first_name=first_name, last_name=last_name)
    probe.refresh_name_index()
    if not probe.name_index or structure is None:
        return Person.objects.none()
    return Person.objects.filter(structure=structure, name_index=probe.name_index, birth_year=birth_year)


@transaction.atomic
def register_person(
    partnership: Partnership,
    *,
    sex: str,
    birth_year: int,
    target_groups: list[TargetGroup] | None = None,
    structure: Structure | None = None,
    consent: bool = False,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    place: str = "",
    douar: Douar | None = None,
    created_by=None,
) -> Person:
    """Registers a person with the partnership's next code. Coordinator, or staff of `structure`.

    `douar`, where she lives, must be one of the partnership's (ValidationError otherwise).

    Never for a listening centre (docs/security.md 34): its clients live only in `cases`, and a registry
    record held by the centre would tell the coordinator that this person is known to it.
    """
    if structure is not None and structure.kind == Structure.Kind.LISTENING_CENTRE:
        raise ValidationError(
            _("Le centre d'écoute ne tient pas de fiches au registre : ses dossiers restent au centre.")
        )
    if douar is not None and douar.partnership_id != partnership.pk:
        raise ValidationError(_("Ce douar n'appartient pas à ce partenariat."))
    number, code = next_code(partnership)
    person = Person(
        partnership=partnership,
        structure=structure,
        number=number,
        code=code,
        sex=sex,
        birth_year=birth_year,
        consent=consent,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        phone=phone.strip(),
        place=place.strip(),
        douar=douar,
        created_by=created_by,
    )
    person.refresh_name_index()
    person.save()
    if target_groups:
        person.target_groups.set(target_groups)
    return person


@transaction.atomic
def update_person(person: Person, *, target_groups=None, version: int | None = None, **fields) -> Person:
    """Changes a person's fields (and target groups); keeps the duplicate index in step. With the
    `version` an edit form was read at, raises Stale, writing nothing, if someone saved the record
    since (docs/security.md 21); without it, still moves the version on, so open forms see the change."""
    claim(person, person.version if version is None else version)
    with engine.people_changing([person.pk]):
        for name, value in fields.items():
            setattr(person, name, value)
        person.refresh_name_index()
        person.save()
        if target_groups is not None:
            person.target_groups.set(target_groups)
    return person


@transaction.atomic
def merge_people(keep: Person, drop: Person) -> Person:
    """Merges `drop` into `keep`: every attendance and visit moves over, then `drop` is deleted.

    An activity both attended counts once (the attendance unique constraint is never broken);
    target groups are united; identifying fields missing on `keep` are taken from `drop`.
    Both must belong to the same partnership; the caller checks the user holds both.
    """
    if keep.pk == drop.pk or keep.partnership_id != drop.partnership_id:
        raise ValueError("merge_people needs two different people of one partnership")
    claim(keep, keep.version)  # an edit form opened on `keep` before the merge is now stale
    with engine.people_changing([keep.pk, drop.pk]):
        return _merge(keep, drop)


def _merge(keep: Person, drop: Person) -> Person:
    from activities.models import Attendance, Visit

    already = Attendance.objects.filter(person=keep).values("activity_id")
    Attendance.objects.filter(person=drop, activity_id__in=already).delete()
    Attendance.objects.filter(person=drop).update(person=keep)
    Visit.objects.filter(person=drop).update(person=keep)
    keep.target_groups.add(*drop.target_groups.all())
    for field in ["first_name", "last_name", "phone", "place", "douar"]:
        if not getattr(keep, field) and getattr(drop, field):
            setattr(keep, field, getattr(drop, field))
    keep.consent = keep.consent or drop.consent
    keep.refresh_name_index()
    keep.save()
    drop.delete()
    return keep


@transaction.atomic
def delete_person(person: Person) -> None:
    """Deletes a person and her attendances (visits stay, anonymous). Coordinator or holding staff."""
    with engine.people_changing([person.pk]):
        person.delete()
