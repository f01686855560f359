"""The only door to people records. "Missing" and "forbidden" are the same 404.

- The coordinator sees every person of her partnership: code, sex, birth year, target groups.
- Structure staff see the people their structure holds, with their identifying fields.
- Partner officers, network officers, the platform admin and outsiders see no individual.
- The listening centre holds no registry records (docs/security.md 34): its clients live only in `cases`.
  Its roles (listener, centre coordinator) neither read nor write the registry, and nobody registers
  a person for a listening centre, so no record says that someone is known to the centre.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from core.crypto import normalise
from partnerships.access import Access, get_partnership_for_user
from partnerships.models import CENTRE_ROLES, Partnership, Structure

from .models import Person


def registry_structure_ids(access: Access) -> set:
    """The structures whose registry the user staffs: those where she holds a role other than the
    listening centre's."""
    return {pk for pk, roles in access.structure_roles.items() if set(roles) - CENTRE_ROLES}


def staffs_registry(access: Access) -> bool:
    """She staffs the registry of at least one structure: there she reads and writes identity fields."""
    return bool(registry_structure_ids(access))


def staffs(access: Access, structure: Structure | None) -> bool:
    """She staffs the registry of `structure`: she reads and writes its people's identity fields."""
    if structure is None:
        return False
    return structure.pk in registry_structure_ids(access)


def uses_registry(access: Access) -> bool:
    """The registry (its list, its records, the registering of people): the coordinator and the
    staff of a structure other than the listening centre. Not the partnership's admin, the partner
    or network officers, the platform admin, nor the listening centre's roles."""
    if access.coordinates:
        return True
    return staffs_registry(access)


def shows_identity(access: Access, person: Person) -> bool:
    """Names, phone and place are shown only to the staff of the structure holding the record."""
    if not person.structure_id:
        return False
    return person.structure_id in registry_structure_ids(access)


def may_register(access: Access, structure: Structure | None) -> bool:
    """The coordinator registers for any structure (or none) but a listening centre; staff only for
    their own structure, never the listening centre."""
    if structure is not None and structure.kind == Structure.Kind.LISTENING_CENTRE:
        return False
    if access.coordinates:
        return True
    return staffs(access, structure)


def registering_structures(access: Access) -> QuerySet:
    """The structures the user may register people for (never a listening centre); the choices of
    the registry's structure filter too."""
    structures = access.partnership.structures.exclude(kind=Structure.Kind.LISTENING_CENTRE)
    if access.coordinates:
        return structures
    return structures.filter(pk__in=registry_structure_ids(access))


def registry_of(user, access: Access) -> QuerySet:
    """The people of the partnership that the user may see (`Person.visible_to`): every person for
    the coordinator, those her structures hold for staff."""
    people = Person.objects.visible_to(user).filter(partnership=access.partnership)
    if access.coordinates:
        return people
    return people.filter(structure_id__in=list(registry_structure_ids(access)))


def get_registry_for_user(user, slug: str) -> tuple[Partnership, Access]:
    """The partnership and access of a user who uses the registry there (`uses_registry`); 404 for
    anyone else."""
    partnership, access = get_partnership_for_user(user, slug)
    if not uses_registry(access):
        raise Http404
    return partnership, access


def get_person_for_user(user, slug: str, pk: int) -> tuple[Person, Access]:
    """A person of the partnership that the user may see (Person.visible_to); 404 otherwise."""
    partnership, access = get_registry_for_user(user, slug)
    person = Person.objects.visible_to(user).filter(partnership=partnership, pk=pk).first()
    if person is None:
        raise Http404
    return person, access


def may_change(access: Access, person: Person) -> bool:
    """The coordinator, or the staff of the holding structure, may edit, merge or delete a record."""
    if access.coordinates:
        return True
    return shows_identity(access, person)


def search_people(user, access: Access, query: str, base: QuerySet | None = None) -> QuerySet:
    """People visible to the user matching `query`: codes in SQL, names decrypted in Python.

    Names are only searched among the records the user may read in clear (her structures), so a
    name never finds a record whose identity she may not see.
    """
    people = (
        base if base is not None else Person.objects.visible_to(user).filter(partnership=access.partnership)
    )
    query = (query or "").strip()
    if not query:
        return people
    needle = normalise(query)
    held = people.filter(structure_id__in=list(registry_structure_ids(access)))
    named = [
        pk
        for pk, first, last in held.values_list("pk", "first_name", "last_name")
        if needle in normalise(f"{first} {last}") or needle in normalise(f"{last} {first}")
    ]
    return people.filter(Q(code__icontains=query) | Q(pk__in=named))
