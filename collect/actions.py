"""The changes of offline collection, each in one place (the views and commands call them)."""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.locking import claim
from partnerships.models import Structure

from .models import CollectSettings, Device, KoboHook, Submission, digest, new_secret

# B — devices.

# ODK Collect makes several requests a minute while it syncs; one write a minute says enough.
SEEN_EVERY = dt.timedelta(minutes=1)


def create_device(user, structure: Structure, label: str, created_by) -> tuple[Device, str]:
    """A new device password for `user` in `structure`, and the password itself, which only its
    digest keeps: shown once. The caller has checked that `user` collects there
    (`collect.access.may_collect`); on the pages she creates one only for herself (the phone signs in
    as her), the `create_device_password` command for whom the system administrator names."""
    raw = new_secret()
    device = Device.objects.create(
        partnership=structure.partnership,
        structure=structure,
        user=user,
        label=label,
        secret_hash=digest(raw),
        created_by=created_by,
    )
    return device, raw


def revoke_device(device: Device, by) -> None:
    """Revokes the device for good (anyone who collects for its structure may: a lost phone); its
    next request gets 401. Revoking it twice keeps the first date."""
    now = timezone.now()
    Device.objects.filter(pk=device.pk, revoked_at__isnull=True).update(revoked_at=now, revoked_by=by)


def device_seen(device: Device) -> None:
    """Notes that the device just signed in, at most once a minute (the OpenRosa door calls it)."""
    now = timezone.now()
    if device.last_seen_at is not None and now - device.last_seen_at < SEEN_EVERY:
        return
    Device.objects.filter(pk=device.pk).filter(
        Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=now - SEEN_EVERY)
    ).update(last_seen_at=now)
    device.last_seen_at = now


# A — forms ------------------------------------------------------------------------------------


def save_collect_settings(structure: Structure, person_label: str) -> CollectSettings:
    """The coordinator or the structure's staff (collect/access.py `may_collect`) choose what the
    phone shows of each person; the forms' next version carries it (collect/xlsforms.py)."""
    found, _created = CollectSettings.objects.update_or_create(
        structure=structure, defaults={"person_label": person_label}
    )
    return found


# C — Kobo hooks and the review queue ------------------------------------------------------------


class NotWaiting(Exception):
    """The submission is no longer waiting (applied or rejected meanwhile): nothing was written."""


@transaction.atomic
def create_kobo_hook(partnership, structure, kind: str, label: str, user) -> tuple[KoboHook, str]:
    """A Kobo push URL's secret for one form of one structure, acting as `user` (who collects for
    it: the coordinator or the structure's staff). Answers the hook and its secret, shown once and
    stored only as a digest."""
    secret = new_secret(groups=8)
    hook = KoboHook.objects.create(
        partnership=partnership,
        structure=structure,
        kind=kind,
        label=label,
        user=user,
        secret_hash=digest(secret),
    )
    return hook, secret


@transaction.atomic
def revoke_kobo_hook(hook: KoboHook) -> None:
    """Revokes a hook for good: Kobo's next push gets 403. Anyone who collects for its structure."""
    KoboHook.objects.filter(pk=hook.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def review_submission(submission: Submission, answers: dict, version: int, user) -> Submission:
    """Saves her corrections of a waiting submission's answers and applies it again through the one
    path (collect/intake.py): applied, or still waiting with its new problems. Stale (nothing
    written) when someone reviewed it since `version`; NotWaiting once it is no longer waiting."""
    from . import intake

    claim(submission, version, reviewed_by=user, reviewed_at=timezone.now())
    if Submission.objects.filter(pk=submission.pk).values_list("status", flat=True).get() != "waiting":
        raise NotWaiting(_("Cet envoi n'attend plus de révision."))
    return intake.apply(submission, answers)


@transaction.atomic
def reject_submission(submission: Submission, reason: str, version: int, user) -> Submission:
    """Rejects a waiting submission with a reason: nothing of it is ever written; a resend of the
    same instance stays rejected. Stale or NotWaiting as `review_submission`."""
    claim(submission, version, reviewed_by=user, reviewed_at=timezone.now())
    if Submission.objects.filter(pk=submission.pk).values_list("status", flat=True).get() != "waiting":
        raise NotWaiting(_("Cet envoi n'attend plus de révision."))
    submission.status, submission.reject_reason = Submission.Status.REJECTED, reason[:300]
    submission.save(update_fields=["status", "reject_reason", "updated_at"])
    return submission
