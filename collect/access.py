"""The only door to offline collection. "Missing" and "forbidden" are the same 404 on pages; the
OpenRosa endpoints answer 401 to a device that is unknown, revoked, expired, or whose user no longer
may collect there.

- Who collects for a structure: the coordinator of its partnership, or its own staff — never for a
  listening centre (no form exists for it: its clients live only in `cases`, docs/security.md 34).
- Devices, hooks, forms and the review queue of a structure: the same people. The partnership's
  admin, partner and network officers and the platform admin: 404.
"""

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from partnerships.access import Access, access_for, get_partnership_for_user
from partnerships.models import Partnership, Structure

from .models import Device, KoboHook, Submission, digest


def may_collect(access: Access, structure: Structure) -> bool:
    """The coordinator, or the structure's own staff; never for a listening centre."""
    if structure.kind == Structure.Kind.LISTENING_CENTRE:
        return False
    if structure.partnership_id != access.partnership.pk:
        return False
    if access.coordinates:
        return True
    return access.in_structure(structure.pk)


def collecting_structures(access: Access) -> QuerySet[Structure]:
    """The structures whose collection she manages (devices, forms, queue), listening centre never."""
    return access.work_structures.exclude(kind=Structure.Kind.LISTENING_CENTRE)


def get_collect_for_user(user, slug: str) -> tuple[Partnership, Access, QuerySet[Structure]]:
    """The partnership, her access and the structures she collects for; 404 if there are none."""
    partnership, access = get_partnership_for_user(user, slug)
    structures = collecting_structures(access)
    if not access.records_work or not structures.exists():
        raise Http404
    return partnership, access, structures


def still_collects(user, structure: Structure) -> bool:
    """A device's or hook's user may still collect for its structure (checked at every request)."""
    if not user.is_active:
        return False
    return may_collect(access_for(user, structure.partnership), structure)


# B — devices (ODK Collect's passwords).


def devices_of(structures: QuerySet[Structure]) -> QuerySet[Device]:
    """The devices of these structures (every user's: a colleague's lost phone is revoked by anyone
    who collects for its structure), newest first, with the date of each one's latest submission."""
    latest = Submission.objects.filter(device=OuterRef("pk")).order_by("-created_at")
    return (
        Device.objects.filter(structure__in=structures)
        .select_related("user", "structure")
        .annotate(
            last_submission_at=Subquery(latest.values("created_at")[:1]),
            last_submission_status=Subquery(latest.values("status")[:1]),
        )
        .order_by("structure__name", "-created_at")
    )


def get_device_for_user(user, slug: str, pk: int) -> tuple[Device, Access]:
    """A device of a structure she collects for (`get_collect_for_user`); 404 otherwise."""
    _partnership, access, structures = get_collect_for_user(user, slug)
    device = Device.objects.filter(structure__in=structures, pk=pk).first()
    if device is None:
        raise Http404
    return device, access


def device_for_password(slug: str, username: str, raw: str) -> Device | None:
    """The OpenRosa door: the active device (not revoked, not expired) of partnership `slug` whose
    password is `raw` and whose user is `username` and still collects for its structure; None for
    anything else (unknown user, wrong password, other partnership: the caller answers them alike)."""
    device = (
        Device.objects.active()
        .select_related("user", "structure__partnership", "partnership")
        .filter(secret_hash=digest(raw), partnership__slug=slug, user__username=username)
        .first()
    )
    if device is None or not still_collects(device.user, device.structure):
        return None
    return device


def password_was_given(slug: str, username: str, raw: str) -> bool:
    """Whether `raw` is a password once given to `username` here (a revoked or expired device, or one
    whose user no longer collects): refused, but not a guess — a forgotten old phone still syncing
    must not lock its replacement out."""
    return Device.objects.filter(
        secret_hash=digest(raw), partnership__slug=slug, user__username=username
    ).exists()


# C — the review queue and Kobo hooks -------------------------------------------------------------


def get_submission_for_user(user, slug: str, pk: int) -> tuple[Partnership, Access, Submission]:
    """A submission of a structure she collects for (coordinator or its staff); 404 otherwise."""
    partnership, access, structures = get_collect_for_user(user, slug)
    submission = (
        Submission.objects.filter(partnership=partnership, structure__in=structures, pk=pk)
        .select_related("structure", "partnership", "user", "activity", "visit")
        .first()
    )
    if submission is None:
        raise Http404
    return partnership, access, submission


def get_hook_for_user(user, slug: str, pk: int) -> tuple[Partnership, Access, KoboHook]:
    """A Kobo hook of a structure she collects for; 404 otherwise."""
    partnership, access, structures = get_collect_for_user(user, slug)
    hook = KoboHook.objects.filter(partnership=partnership, structure__in=structures, pk=pk).first()
    if hook is None:
        raise Http404
    return partnership, access, hook


def hook_by_secret(slug: str, secret: str) -> KoboHook | None:
    """The hook whose secret this is, in the partnership of `slug` (revoked ones too: the push
    endpoint says so), or None. Anyone holding the secret: Kobo's server."""
    return (
        KoboHook.objects.filter(partnership__slug=slug, secret_hash=digest(secret))
        .select_related("partnership", "structure", "user")
        .first()
    )


def waiting_submissions(user) -> list[Submission]:
    """The submissions waiting in the review queue of every structure she collects for, in every
    partnership (for "Mon travail"), oldest first."""
    rows: list[Submission] = []
    for partnership in Partnership.objects.visible_to(user):
        access = access_for(user, partnership)
        if not access.records_work:
            continue
        rows += Submission.objects.filter(
            partnership=partnership,
            structure__in=collecting_structures(access),
            status=Submission.Status.WAITING,
        ).select_related("partnership", "structure")
    return sorted(rows, key=lambda s: (s.created_at, s.pk))
