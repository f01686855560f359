"""The only door to the listening centre's data, and the writer of its access log.

Who may do what:
- a listener (role `listener` in the centre) sees the cases assigned to her;
- the centre coordinator (`centre_coordinator` in the centre) sees every case of the centre,
  assigns them, and may refer without consent with a logged reason;
- nobody else — the partnership's coordinator, the partner commune, the network, the platform
  admin, a listener of another centre or partnership — sees any case or learns that it exists: 404.
Every function fails closed. Every read of a case writes one AccessLog row (docs/security.md 10).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from accounts.models import User
from core.middleware import current_request_id
from partnerships.access import Access, centre_staff, get_partnership_for_user
from partnerships.models import Membership, Partnership, Role, Structure

from .models import AccessLog, Case, ListeningSession, Note, Referral, SpeechGroup


@dataclass(frozen=True)
class Centre:
    partnership: Partnership
    structure: Structure
    access: Access

    @property
    def is_coordinator(self) -> bool:
        """The centre coordinator: she sees every case, assigns them, manages the centre's roles."""
        return self.access.in_structure(self.structure, Role.CENTRE_COORDINATOR)

    @property
    def role(self) -> str:
        return Role.CENTRE_COORDINATOR if self.is_coordinator else Role.LISTENER


def listeners_shown(centre: Centre, user) -> list[User]:
    """The listeners whose continuing training the user sees on the centre's page: every listener
    of the centre for its centre coordinator, herself (if she is one) for a listener."""
    listeners = User.objects.filter(
        memberships__structure=centre.structure,
        memberships__role=Role.LISTENER,
    ).distinct()
    if centre.is_coordinator:
        return list(listeners)
    return list(listeners.filter(pk=user.pk))


def listening_centre(partnership: Partnership) -> Structure | None:
    """The partnership's listening centre (structure of kind `centre-ecoute`), if any."""
    return partnership.structures.filter(kind=Structure.Kind.LISTENING_CENTRE).order_by("pk").first()


def get_centre_for_user(user, slug: str) -> Centre:
    """The listening centre of partnership `slug` for its own staff (listener, centre coordinator);
    404 for everybody else."""
    partnership, access = get_partnership_for_user(user, slug)
    structure = listening_centre(partnership)
    if structure is None:
        raise Http404
    if not access.in_structure(structure, Role.LISTENER, Role.CENTRE_COORDINATOR):
        raise Http404
    return Centre(partnership, structure, access)


def get_centre_coordination_for_user(user, slug: str) -> Centre:
    """The centre, for its centre coordinator only; 404 otherwise."""
    centre = get_centre_for_user(user, slug)
    if not centre.is_coordinator:
        raise Http404
    return centre


def get_centre_member_for_user(user, slug: str, pk: int) -> tuple[Membership, Centre]:
    """A centre role held in the centre (membership `pk`), for the centre coordinator only, who
    manages the centre's accounts (docs/security.md 26); 404 otherwise."""
    centre = get_centre_coordination_for_user(user, slug)
    membership = centre_staff(centre.structure).filter(pk=pk).first()
    if membership is None:
        raise Http404
    return membership, centre


def sees_raw_statistics(access: Access, centre: Structure | None) -> bool:
    """The centre's statistics unsuppressed: its centre coordinator alone; everyone else who may see
    the partnership gets them suppressed (docs/security.md 8)."""
    if centre is None:
        return False
    return access.in_structure(centre, Role.CENTRE_COORDINATOR)


def get_stats_centre_for_user(user, slug: str) -> tuple[Partnership, Access, Structure | None]:
    """The statistics page: anyone who may see the partnership (suppressed figures); the centre's
    coordinator gets them unsuppressed (`sees_raw_statistics`)."""
    partnership, access = get_partnership_for_user(user, slug)
    return partnership, access, listening_centre(partnership)


def log_access(user, role: str, case: Case | None, action: str) -> AccessLog:
    """One append-only row: who, in which role, which case, what, when (UTC), the request id."""
    return AccessLog.objects.create(
        user_id=user.pk,
        username=user.get_username(),
        role=role,
        case_id=case.pk if case else None,
        case_code=case.code if case else "",
        action=action,
        request_id=current_request_id(),
    )


# A row written by a management command, not by a person: no user has the id 0.
COMMAND_USER_ID = 0
COMMAND_ROLE = "commande"


def log_command(command: str, case: Case, action: str) -> AccessLog:
    """One append-only row for an act of a management command on a case (the retention command's
    anonymisation): user id 0, the command's name as username, role `commande`, no content."""
    return AccessLog.objects.create(
        user_id=COMMAND_USER_ID,
        username=f"manage.py {command}",
        role=COMMAND_ROLE,
        case_id=case.pk,
        case_code=case.code,
        action=action,
        request_id=current_request_id(),
    )


def get_case_for_user(user, slug: str, code: str, action: str = "view") -> tuple[Case, Centre]:
    """Case `code` of the partnership's centre if the user may see it (see the module docstring),
    logging the access once; 404 otherwise — the same answer whether it exists or not."""
    centre = get_centre_for_user(user, slug)
    case = (
        Case.objects.visible_to(user)
        .filter(structure=centre.structure, code=code)
        .select_related("assigned_to")
        .first()
    )
    if case is None:
        raise Http404
    log_access(user, centre.role, case, action)
    return case, centre


def cases_for(user, centre: Centre) -> QuerySet[Case]:
    """The centre's cases the user may see (her own, or all for the centre coordinator)."""
    return Case.objects.visible_to(user).filter(structure=centre.structure)


def get_group_for_user(user, slug: str, pk: int) -> tuple[SpeechGroup, Centre]:
    """A speech group of the centre, for the centre's staff; 404 otherwise."""
    centre = get_centre_for_user(user, slug)
    group = SpeechGroup.objects.visible_to(user).filter(structure=centre.structure, pk=pk).first()
    if group is None:
        raise Http404
    return group, centre


# "Mon travail" (work/waiting.py) lists a case by its code and a number of days only, to the listener
# it is assigned to (and a referral to her, or to whoever made it): a list, like the centre's, writes
# no access-log row; opening the case from it does (`get_case_for_user`, docs/security.md 10).


def _latest(model: type[ListeningSession | Note | Referral]) -> Subquery:
    """The date of the case's latest row of `model` (one subquery each: no join of the three)."""
    return Subquery(model.objects.filter(case=OuterRef("pk")).order_by("-date").values("date")[:1])


def cases_without_follow_up(user, today: datetime.date, days: int) -> list[tuple[Case, int]]:
    """Her own cases still open (assigned to her, in a centre where she works) whose last follow-up —
    a listening session, a note or a referral, or the intake for a case without any — is `days` days
    old or more: (case, days since), the oldest first. Nobody else's cases, whatever her role."""
    cases = (
        Case.objects.visible_to(user)
        .filter(assigned_to=user)
        .exclude(status=Case.Status.CLOSED)
        .annotate(
            last_session=_latest(ListeningSession),
            last_note=_latest(Note),
            last_referral=_latest(Referral),
        )
        .select_related("partnership")
    )
    stale = []
    for case in cases:
        dates = [case.opened_on, case.last_session, case.last_note, case.last_referral]
        since = (today - max(d for d in dates if d is not None)).days
        if since >= days:
            stale.append((case, since))
    return sorted(stale, key=lambda row: (-row[1], row[0].code))


def referrals_without_feedback(user, today: datetime.date, days: int) -> list[tuple[Referral, int]]:
    """Referrals of open cases, `days` days old or more, after which no listening session or note was
    recorded in the case (the partner's feedback not yet taken down), in the cases assigned to her or
    made by her among the cases she may see: (referral, days since), the oldest first."""
    later = {"case": OuterRef("case"), "date__gt": OuterRef("date")}
    referrals = (
        Referral.objects.filter(case__in=Case.objects.visible_to(user))
        .filter(Q(case__assigned_to=user) | Q(by=user))
        .exclude(case__status=Case.Status.CLOSED)
        .filter(date__lte=today - datetime.timedelta(days=days))
        .exclude(Exists(ListeningSession.objects.filter(**later)))
        .exclude(Exists(Note.objects.filter(**later)))
        .select_related("case__partnership")
        .order_by("date", "pk")
    )
    return [(referral, (today - referral.date).days) for referral in referrals]
