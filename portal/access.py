"""The only door to good practices, their documents, and the public portal's partnership.

Who may do what (docs/decisions.md, "Portail public et bonnes pratiques"):
- write, edit, publish, attach documents: the partnership's coordinator and admin ("editors");
- read the library `p/<slug>/bonnes-pratiques/`: every role of the partnership (its published items;
  editors also see drafts) and, for items published to the network or the public, anyone holding a
  role in the same network — the network officer first of all;
- the public portal: anyone, only items published to the public, only published indicators.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from partnerships.access import Access, get_partnership_for_user
from partnerships.models import Network, Partnership

from .models import EDITOR_ROLES, Attachment, Audience, GoodPractice


def can_edit(access: Access) -> bool:
    """The coordinator and the partnership's admin write and publish good practices."""
    return access.has(*EDITOR_ROLES)


def library_of(user, partnership: Partnership) -> QuerySet[GoodPractice]:
    """What the library of `partnership` lists for `user`: its own items she may see, and the items
    of the network's other partnerships published to the network or the public."""
    wide = Q(partnership__network=partnership.network, audience__in=[Audience.NETWORK, Audience.PUBLIC])
    return (
        GoodPractice.objects.visible_to(user)
        .filter(Q(partnership=partnership) | wide)
        .select_related("partnership", "structure")
    )


def get_library_for_user(user, slug: str) -> tuple[Partnership, Access]:
    """(partnership, access) of a partnership whose library the user may read; 404 otherwise."""
    return get_partnership_for_user(user, slug)


def get_practice_for_user(
    user, slug: str, pk: int, *, to_edit: bool = False
) -> tuple[Partnership, Access, GoodPractice]:
    """A good practice the user may read in the library of `slug` (or edit, with `to_edit`); 404."""
    partnership, access = get_partnership_for_user(user, slug)
    practice = library_of(user, partnership).filter(pk=pk).first()
    if practice is None:
        raise Http404
    if to_edit and (practice.partnership_id != partnership.id or not can_edit(access)):
        raise Http404
    return partnership, access, practice


def get_attachment_for_user(user, slug: str, pk: int, doc: int) -> Attachment:
    """A document of a good practice the user may read; 404 otherwise."""
    _partnership, _access, practice = get_practice_for_user(user, slug, pk)
    return get_object_or_404(Attachment, practice=practice, pk=doc)


def get_public_partnership(slug: str) -> Partnership:
    """Any partnership, for its public portal (what it shows is decided by portal/published.py)."""
    return get_object_or_404(Partnership.objects.select_related("network"), slug=slug)


def get_public_practice(slug: str, pk: int) -> GoodPractice:
    """A good practice published to the public by the partnership `slug`; 404 otherwise."""
    return get_object_or_404(GoodPractice.objects.public(), partnership__slug=slug, pk=pk)


def get_public_attachment(slug: str, pk: int, doc: int) -> Attachment:
    """A document of a good practice published to the public; 404 otherwise."""
    return get_object_or_404(Attachment, practice=get_public_practice(slug, pk), pk=doc)


def network_practices(user, network: Network) -> QuerySet[GoodPractice]:
    """Good practices published to the network (or the public) by the partnerships of `network`
    that the user may see; for the network officer's comparison page."""
    return (
        GoodPractice.objects.visible_to(user)
        .published()
        .filter(partnership__network=network, audience__in=[Audience.NETWORK, Audience.PUBLIC])
        .select_related("partnership")
    )
