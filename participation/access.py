"""The only door to forums, for staff pages and for the public ones.

Who may do what (docs/decisions.md, "Forums des jeunes"):
- read the staff pages: coordinator, partnership admin, officers (office agent, educator), the
  partner officer (Jette, read-only) and the platform administrator (read-only);
- manage (forums, phases, admissibility, codes, followed projects): coordinator and partnership admin;
- enter paper forms and paper ballots, and confirm another officer's batch: "officers" =
  coordinator, partnership admin, office agent, educator;
- the network officer and the listening centre's staff: nothing (404); the public pages suffice.
A proposer's contact is shown to the coordinator (or partnership admin) only.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from partnerships.access import Access, access_for, get_partnership_for_user
from partnerships.models import Partnership

from .models import OFFICER_ROLES, READER_ROLES, Forum, PaperBatch, Phase, Proposal


def can_read(access: Access) -> bool:
    """The staff pages: the readers (coordinator, admin, officers, partner officer) and the platform
    administrator."""
    if access.has(*READER_ROLES):
        return True
    return access.platform_admin


def can_manage(access: Access) -> bool:
    """Forums, phases, admissibility, codes and followed projects: the coordinator and the
    partnership's admin."""
    return access.is_coordinator


def is_officer(access: Access) -> bool:
    """Paper forms and ballots, and confirming another officer's batch: coordinator, admin, office
    agent, educator."""
    return access.has(*OFFICER_ROLES)


def get_forums_for_user(user, slug: str, *, need=can_read) -> tuple[Partnership, Access]:
    """(partnership, access) when the user may read the partnership's forums (or `need` holds); 404."""
    partnership, access = get_partnership_for_user(user, slug)
    if not need(access):
        raise Http404
    return partnership, access


def get_forum_for_user(user, slug: str, pk: int, *, need=can_read) -> tuple[Forum, Access]:
    """A forum of a partnership where `need(access)` holds (reading by default); 404 otherwise."""
    partnership, access = get_forums_for_user(user, slug, need=need)
    forum = Forum.objects.filter(partnership=partnership, pk=pk).select_related("partnership").first()
    if forum is None:
        raise Http404
    return forum, access


def get_proposal_for_user(
    user, slug: str, pk: int, number: int, *, need=can_manage
) -> tuple[Proposal, Access]:
    """A proposal of a forum the user may manage (decisions, contact); 404 otherwise."""
    forum, access = get_forum_for_user(user, slug, pk, need=need)
    return get_object_or_404(Proposal, forum=forum, number=number), access


def get_batch_for_user(user, slug: str, pk: int, batch: int) -> tuple[PaperBatch, Access]:
    """A paper batch of a forum, for officers only; 404 otherwise."""
    forum, access = get_forum_for_user(user, slug, pk, need=is_officer)
    return get_object_or_404(PaperBatch.objects.select_related("forum"), forum=forum, pk=batch), access


def get_public_forum(slug: str, pk: int) -> Forum:
    """Any forum, for the public pages (forums are public); the pages decide what its phase allows."""
    return get_object_or_404(Forum.objects.select_related("partnership"), partnership__slug=slug, pk=pk)


def get_public_partnership(slug: str) -> Partnership:
    """A partnership's name and slug for the public list of its forums."""
    return get_object_or_404(Partnership, slug=slug)


# A forum's phases up to the vote close on the forum's day (`Forum.date`): it is their deadline.
PHASES_CLOSING_ON_THE_DAY = [Phase.PROPOSALS, Phase.REVIEW, Phase.DELIBERATION, Phase.VOTING]


def forums_closing(user, first_day, last_day) -> list[Forum]:
    """The forums whose current phase closes between `first_day` and `last_day` (their day falls
    then, and they have not reached their results), in the partnerships where `user` manages the
    forums (`can_manage`: she moves the phases). For "Mon travail"."""
    closing: list[Forum] = []
    for partnership in Partnership.objects.visible_to(user):
        if not can_manage(access_for(user, partnership)):
            continue
        closing += Forum.objects.filter(
            partnership=partnership,
            date__range=(first_day, last_day),
            phase__in=PHASES_CLOSING_ON_THE_DAY,
        ).select_related("partnership")
    return sorted(closing, key=lambda forum: forum.date)
