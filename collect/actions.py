"""Writes of offline collection, each in one transaction. The callers (collect/views.py,
collect/queue_views.py) have checked through collect/access.py that the user collects for the
structure concerned."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.locking import claim

from .models import KoboHook, Submission, digest, new_secret

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
