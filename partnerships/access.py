"""The only door to partnerships and structures, and the one place that says what a role may do.

Every function fails closed: no membership, no access. "Missing" and "forbidden" give the same 404.
"""

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404

from .models import (
    CENTRE_ROLES,
    Appointment,
    Douar,
    Invitation,
    Membership,
    Network,
    Partnership,
    Role,
    RoleLog,
    Structure,
)


@dataclass(frozen=True)
class Access:
    """What one user holds in one partnership."""

    partnership: Partnership
    roles: frozenset = frozenset()
    structure_ids: frozenset = frozenset()  # structures where she holds a structure role
    structure_roles: dict = field(default_factory=dict)  # structure id -> set of roles
    platform_admin: bool = False

    def has(self, *roles) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_coordinator(self) -> bool:
        """The coordinator or the partnership's admin: who manages the partnership's definitions and
        publications (forums, good practices, indicators), never its individuals' records."""
        return self.has(Role.COORDINATOR, Role.ADMIN)

    @property
    def coordinates(self) -> bool:
        """The partnership's coordinator alone (not its admin): she sees and writes the work and the
        records of every structure of the partnership (Person.visible_to says the same)."""
        return self.has(Role.COORDINATOR)

    @property
    def records_work(self) -> bool:
        """The coordinator, or staff of at least one of the partnership's structures: who records
        activities, imports and exports (each narrowed to her structures by `work_of`). Not the
        partnership's admin: she sees no individual (`sees_individuals`), and these hold them."""
        if self.coordinates:
            return True
        return bool(self.structure_ids)

    @property
    def work_structures(self) -> QuerySet:
        """The structures whose work she records (activities, imports): all of the partnership's for
        the coordinator, her own for staff."""
        return self.work_of(self.partnership.structures.all(), "pk")

    def work_of(self, rows: QuerySet, structure: str = "structure") -> QuerySet:
        """The rows of `rows` whose work she records: all of them for the coordinator, those of her
        own structures for staff. `structure` is the lookup from a row to its structure ("pk" for
        structures themselves)."""
        if self.coordinates:
            return rows
        return rows.filter(**{f"{structure}__in": list(self.structure_ids)})

    @property
    def sees_individuals(self) -> bool:
        """Partner communes and networks see aggregates only, never a person."""
        return self.has(
            Role.COORDINATOR,
            Role.LISTENER,
            Role.CENTRE_COORDINATOR,
            Role.OFFICE_AGENT,
            Role.EDUCATOR,
        )

    def in_structure(self, structure, *roles) -> bool:
        held = self.structure_roles.get(structure.pk if hasattr(structure, "pk") else structure, set())
        return bool(held) if not roles else bool(held.intersection(roles))


def access_for(user, partnership: Partnership) -> Access:
    """Every role of `user` in `partnership` (through the partnership, its structures or its network)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Access(partnership)
    rows = Membership.objects.filter(user=user).filter(partnership=partnership) | Membership.objects.filter(
        user=user, network_id=partnership.network_id
    )
    roles: set[str] = set()
    structure_roles: dict[int, set[str]] = {}
    for role, structure_id in rows.values_list("role", "structure_id"):
        roles.add(role)
        if structure_id:
            structure_roles.setdefault(structure_id, set()).add(role)
    return Access(
        partnership,
        frozenset(roles),
        frozenset(structure_roles),
        structure_roles,
        platform_admin=user.is_superuser,
    )


def get_partnership_for_user(user, slug: str) -> tuple[Partnership, Access]:
    """The partnership `slug` if the user may see it, with her access; 404 otherwise."""
    partnership = Partnership.objects.visible_to(user).select_related("network").filter(slug=slug).first()
    if partnership is None:
        raise Http404
    return partnership, access_for(user, partnership)


def get_network_for_user(user, slug: str) -> Network:
    """The network `slug` of which the user is the network officer (she compares its partnerships);
    404 for anyone else."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise Http404
    network = Network.objects.filter(
        slug=slug,
        memberships__user=user,
        memberships__role=Role.NETWORK_OFFICER,
    ).first()
    if network is None:
        raise Http404
    return network


def network_partnerships(user, network: Network) -> list[tuple[Partnership, Access]]:
    """Each partnership of `network` that the user may see, with her access there."""
    partnerships = Partnership.objects.visible_to(user).filter(network=network)
    return [(partnership, access_for(user, partnership)) for partnership in partnerships]


def get_structure_for_user(user, slug: str, code: str) -> tuple[Structure, Access]:
    """A structure of a partnership the user may see; 404 otherwise."""
    partnership, access = get_partnership_for_user(user, slug)
    structure = partnership.structures.select_related("organisation").filter(code=code).first()
    if structure is None:
        raise Http404
    return structure, access


def get_appointments_for_user(user, slug: str) -> tuple[Partnership, Access]:
    """The appointment of first centre coordinators (docs/security.md 26): platform administrators only;
    404 for everybody else."""
    partnership, access = get_partnership_for_user(user, slug)
    if not access.platform_admin:
        raise Http404
    return partnership, access


def get_appointment_for_user(user, slug: str, pk: int) -> tuple[Appointment, Access]:
    """A pending appointment of one of the partnership's centres, for a platform administrator."""
    partnership, access = get_appointments_for_user(user, slug)
    appointment = (
        Appointment.objects.select_related("structure", "candidate", "proposed_by")
        .filter(structure__partnership=partnership, status=Appointment.Status.PENDING, pk=pk)
        .first()
    )
    if appointment is None:
        raise Http404
    return appointment, access


def centre_staff(structure: Structure) -> QuerySet[Membership]:
    """The centre roles held in `structure` (listeners and centre coordinators), with their accounts."""
    return (
        Membership.objects.filter(structure=structure, role__in=CENTRE_ROLES)
        .select_related("user")
        .order_by("user__username", "role")
    )


def role_log_of(structure: Structure) -> QuerySet[RoleLog]:
    """The append-only log of the centre's roles, newest first (shown to its centre coordinator)."""
    return RoleLog.objects.filter(structure_id=structure.pk)


def may_manage_team(access: Access) -> bool:
    """The partnership's coordinator or admin: she invites people, changes and removes their roles
    (never a centre role, docs/security.md 26), deactivates accounts held only here, and reads the
    access log. Nobody else, the platform administrator included (she staffs a partnership that has
    no coordinator, below)."""
    return access.is_coordinator


def networks_for_setup(user) -> QuerySet[Network]:
    """The networks in which `user` may create a partnership: those she officers; every network for
    the platform administrator; none for anyone else."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Network.objects.none()
    if user.is_superuser:
        return Network.objects.all()
    return Network.objects.filter(memberships__user=user, memberships__role=Role.NETWORK_OFFICER).distinct()


def has_coordinator(partnership: Partnership) -> bool:
    """Whether an active account coordinates the partnership."""
    return Membership.objects.filter(
        partnership=partnership, role=Role.COORDINATOR, user__is_active=True
    ).exists()


def may_staff(access: Access) -> bool:
    """The network officer of the partnership's network, or a platform administrator, invites the
    FIRST coordinator of a partnership that has none: how a new partnership gets staffed. Once it has
    one, its team is hers."""
    if not (access.platform_admin or access.has(Role.NETWORK_OFFICER)):
        return False
    return not has_coordinator(access.partnership)


def may_set_up(access: Access) -> bool:
    """Who sets the partnership up (its structures, target groups and results framework): its
    coordinator or admin; before it has a coordinator, whoever staffs it — an officer of its
    network, or the platform administrator."""
    return may_manage_team(access) or may_staff(access)


def may_invite(access: Access) -> bool:
    """Who opens the invitation form: the team's managers, or whoever staffs it (coordinator only)."""
    return may_manage_team(access) or may_staff(access)


def invitations_pending(user) -> list[Invitation]:
    """The pending invitations of every partnership whose team she manages (`may_manage_team`), or
    that she staffs (`may_staff`: its first coordinator's). For "Mon travail"."""
    waiting = []
    for partnership in Partnership.objects.visible_to(user):
        access = access_for(user, partnership)
        pending = Invitation.objects.pending().filter(partnership=partnership).select_related("partnership")
        if may_manage_team(access):
            waiting += list(pending)
        elif may_staff(access):
            waiting += list(pending.filter(role=Role.COORDINATOR))
    return waiting


def get_team_for_user(user, slug: str) -> tuple[Partnership, Access]:
    """The partnership's team (members, invitations, access log) for its coordinator or admin; 404
    for anybody else."""
    partnership, access = get_partnership_for_user(user, slug)
    if not may_manage_team(access):
        raise Http404
    return partnership, access


def get_invite_for_user(user, slug: str) -> tuple[Partnership, Access]:
    """The invitation form of the partnership, for who may invite there (`may_invite`); 404 otherwise."""
    partnership, access = get_partnership_for_user(user, slug)
    if not may_invite(access):
        raise Http404
    return partnership, access


def get_setup_for_user(user, slug: str) -> tuple[Partnership, Access]:
    """The partnership `slug` if the user may set it up (`may_set_up`); 404 otherwise."""
    partnership, access = get_partnership_for_user(user, slug)
    if not may_set_up(access):
        raise Http404
    return partnership, access


def get_member_for_user(user, slug: str, pk: int) -> tuple[Membership, Access]:
    """One role held in the partnership (not a centre role: the centre's coordinator keeps those),
    for the team's managers; 404 otherwise."""
    partnership, access = get_team_for_user(user, slug)
    membership = (
        Membership.objects.select_related("user", "structure")
        .filter(partnership=partnership, pk=pk)
        .exclude(role__in=CENTRE_ROLES)
        .first()
    )
    if membership is None:
        raise Http404
    return membership, access


def get_invitation_for_user(user, slug: str, pk: int) -> tuple[Invitation, Access]:
    """A pending invitation of the partnership, for who may invite there (the staffers: only the
    coordinator invitations they may make); 404 otherwise."""
    partnership, access = get_invite_for_user(user, slug)
    invitations = Invitation.objects.pending().filter(partnership=partnership, pk=pk)
    if not may_manage_team(access):
        invitations = invitations.filter(role=Role.COORDINATOR)
    invitation = invitations.first()
    if invitation is None:
        raise Http404
    return invitation, access


def team_of(partnership: Partnership) -> QuerySet[Membership]:
    """The roles held in the partnership (its own and its structures'), with their accounts."""
    return (
        Membership.objects.filter(partnership=partnership)
        .select_related("user", "structure")
        .order_by("user__username", "role", "pk")
    )


def access_log_of(partnership: Partnership) -> QuerySet[RoleLog]:
    """The append-only log of every change to access in the partnership, newest first. The listening
    centre's own rows (filed by structure only) stay in the centre's log, its coordinator's
    (docs/security.md 26)."""
    return RoleLog.objects.filter(partnership_id=partnership.pk)


def get_structure_to_set_up(user, slug: str, code: str) -> tuple[Structure, Access]:
    """A structure of a partnership the user may set up; 404 otherwise."""
    partnership, access = get_setup_for_user(user, slug)
    structure = partnership.structures.filter(code=code).first()
    if structure is None:
        raise Http404
    return structure, access


def get_douar_to_set_up(user, slug: str, code: str) -> tuple[Douar, Access]:
    """A douar of a partnership the user may set up (`may_set_up`); 404 otherwise."""
    partnership, access = get_setup_for_user(user, slug)
    douar = partnership.douars.filter(code=code).first()
    if douar is None:
        raise Http404
    return douar, access
