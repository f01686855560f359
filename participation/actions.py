"""Writes that must stay consistent: phases, decisions, codes, ballots, batches, followed projects."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.crypto import blind_index
from core.locking import claim
from projects.actions import create_project
from projects.models import Project

from .counting import BallotRefused, Candidate, check_ballot, winners
from .models import (
    Ballot,
    Forum,
    PaperBatch,
    Phase,
    PhaseChange,
    Proposal,
    VotingCode,
)

# No 0/O, 1/I/L: codes are read aloud and copied from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def code_hash(forum: Forum, code: str) -> str:
    """A keyed hash of a code (FIELD_INDEX_KEY), normalised: case and spaces do not matter."""
    return blind_index(f"{forum.pk}:{code.replace(' ', '').replace('-', '')}")


def advance_phase(forum: Forum, user) -> Forum:
    """Move a forum to its next phase (coordinator). Refuses what would leave the forum inconsistent."""
    with transaction.atomic():
        forum = Forum.objects.select_for_update().get(pk=forum.pk)
        target = forum.next_phase
        if target is None:
            raise ValidationError(_("Le forum est déjà dans sa dernière phase."))
        if forum.phase == Phase.REVIEW and forum.proposals.filter(status=Proposal.Status.SUBMITTED).exists():
            raise ValidationError(_("Des propositions attendent encore une décision de recevabilité."))
        if target == Phase.VOTING and not forum.proposals.filter(status=Proposal.Status.ADMISSIBLE).exists():
            raise ValidationError(_("Aucune proposition recevable : le vote ne peut pas s'ouvrir."))
        if target == Phase.RESULTS and forum.batches.filter(confirmed_at__isnull=True).exists():
            raise ValidationError(
                _("Un lot de bulletins papier attend la vérification d'un second agent avant les résultats.")
            )
        PhaseChange.objects.create(forum=forum, from_phase=forum.phase, to_phase=target, by=user)
        forum.phase = target
        forum.save(update_fields=["phase", "updated_at"])
        if target == Phase.FOLLOW_UP:
            start_follow_up(forum, user)
    return forum


def reopen_phase(forum: Forum, user, phase: str, reason: str) -> Forum:
    """Go back to an earlier phase (coordinator): explicit, with a reason, and logged."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Indiquez le motif de la réouverture : il est consigné."))
    with transaction.atomic():
        forum = Forum.objects.select_for_update().get(pk=forum.pk)
        if phase not in [p.value for p in forum.earlier_phases]:
            raise ValidationError(_("On ne peut rouvrir qu'une phase antérieure."))
        PhaseChange.objects.create(
            forum=forum, from_phase=forum.phase, to_phase=phase, reopening=True, reason=reason, by=user
        )
        forum.phase = phase
        forum.save(update_fields=["phase", "updated_at"])
    return forum


def submit_proposal(forum: Forum, *, entered_by=None, **fields) -> Proposal:
    """Record a proposal (public form, or an officer's entry of a paper form) while proposals are open."""
    with transaction.atomic():
        forum = Forum.objects.select_for_update().get(pk=forum.pk)
        if forum.phase != Phase.PROPOSALS:
            raise ValidationError(_("Les propositions de ce forum sont closes."))
        number = (forum.proposals.aggregate(m=Max("number"))["m"] or 0) + 1
        source = Proposal.Source.PAPER if entered_by else Proposal.Source.ONLINE
        return Proposal.objects.create(
            forum=forum, number=number, source=source, entered_by=entered_by, **fields
        )


@transaction.atomic
def decide_admissibility(
    proposal: Proposal, user, *, admissible: bool, reason: str, version: int | None = None
) -> Proposal:
    """The coordinator's decision on a proposal, with its public reason (review phase only). With the
    `version` her page was read at, raises Stale, writing nothing, when another decision was saved
    since (docs/security.md 21)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Le motif de la décision est obligatoire : il est publié."))
    if proposal.forum.phase != Phase.REVIEW:
        raise ValidationError(_("La recevabilité se décide pendant la phase d'examen."))
    claim(proposal, proposal.version if version is None else version)
    proposal.status = Proposal.Status.ADMISSIBLE if admissible else Proposal.Status.INADMISSIBLE
    proposal.decision_reason = reason
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.save()
    return proposal


def issue_codes(forum: Forum, count: int) -> list[str]:
    """New one-time voting codes (coordinator). Returned once, for printing; only hashes are kept."""
    if not 1 <= count <= 2000:
        raise ValidationError(_("Indiquez un nombre de codes entre 1 et 2000."))
    if forum.phase_at_least(Phase.RESULTS):
        raise ValidationError(_("Le vote est terminé : plus de nouveaux codes."))
    codes: list[str] = []
    with transaction.atomic():
        while len(codes) < count:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            digest = code_hash(forum, code)
            if (
                digest in {code_hash(forum, c) for c in codes}
                or forum.codes.filter(code_hash=digest).exists()
            ):
                continue
            codes.append(code)
        VotingCode.objects.bulk_create(
            [VotingCode(forum=forum, code_hash=code_hash(forum, c)) for c in codes]
        )
    return [f"{c[:4]}-{c[4:]}" for c in codes]


def candidates(forum: Forum) -> list[Candidate]:
    rows = forum.proposals.filter(status=Proposal.Status.ADMISSIBLE).values_list(
        "pk", "number", "estimated_cost"
    )
    return [Candidate(pk, number, cost) for pk, number, cost in rows]


def cast_ballot(
    forum: Forum, code: str, choice_ids: list[int], *, sex="X", age_band="nr", batch=None
) -> Ballot:
    """One vote with a one-time code, online or from a paper ballot (then `batch` is the officer's lot).

    Refuses (BallotRefused, with the message to show) outside the voting phase, an unknown or used
    code, a choice that is not an admissible proposal, and a ballot over the forum's limit.
    """
    with transaction.atomic():
        forum = Forum.objects.select_for_update().get(pk=forum.pk)
        if forum.phase != Phase.VOTING:
            raise BallotRefused(_("Le vote de ce forum n'est pas ouvert."))
        if batch is not None and batch.confirmed:
            raise BallotRefused(_("Ce lot est déjà vérifié : ouvrez un nouveau lot."))
        by_id = {c.id: c for c in candidates(forum)}
        if any(i not in by_id for i in choice_ids):
            raise BallotRefused(_("Un des projets choisis ne fait pas partie du vote."))
        chosen = [by_id[i] for i in choice_ids]
        check_ballot(forum.rule, chosen, max_choices=forum.max_choices, budget=forum.budget)
        voting_code = (
            VotingCode.objects.select_for_update()
            .filter(forum=forum, code_hash=code_hash(forum, code or ""))
            .first()
        )
        if voting_code is None:
            raise BallotRefused(_("Ce code de vote n'existe pas pour ce forum. Vérifiez-le."))
        if voting_code.used_at is not None:
            raise BallotRefused(_("Ce code a déjà servi : chaque code ne vote qu'une fois."))
        voting_code.used_at = timezone.now()
        voting_code.save(update_fields=["used_at", "updated_at"])
        ballot = Ballot.objects.create(forum=forum, batch=batch, sex=sex or "X", age_band=age_band or "nr")
        ballot.choices.set(choice_ids)
    return ballot


def confirm_batch(batch: PaperBatch, user) -> PaperBatch:
    """A second officer's check of a lot of paper ballots: only a different user may confirm it."""
    if batch.entered_by_id == user.pk:
        raise ValidationError(_("Un lot doit être vérifié par un autre agent que celui qui l'a saisi."))
    with transaction.atomic():
        batch = PaperBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.confirmed:
            raise ValidationError(_("Ce lot est déjà vérifié."))
        batch.confirmed_by = user
        batch.confirmed_at = timezone.now()
        batch.save(update_fields=["confirmed_by", "confirmed_at", "updated_at"])
    return batch


def results(forum: Forum) -> dict:
    """Votes per admissible proposal (counted ballots only), the ranking and the winners."""
    cands = candidates(forum)
    counted = Ballot.objects.filter(forum=forum).counted()
    votes = {c.id: 0 for c in cands}
    rows = (
        Proposal.objects.filter(ballots__in=counted, pk__in=votes.keys())
        .values("pk")
        .annotate(n=Count("ballots"))
        .order_by()
    )
    for row in rows:
        votes[row["pk"]] = row["n"]
    chosen = winners(forum.rule, cands, votes, seats=forum.seats, budget=forum.budget)
    return {"votes": votes, "winner_ids": [c.id for c in chosen], "ballots": counted.count()}


def start_follow_up(forum: Forum, user=None) -> list[Project]:
    """A project for each winner (idempotent): an idea from the forum, tied to R3 by default, whose
    life cycle the coordinator then leads on the projects pages."""
    r3 = forum.partnership.results.filter(code="R3").first()
    projects: list[Project] = []
    for proposal in Proposal.objects.filter(pk__in=results(forum)["winner_ids"]).select_for_update():
        project = proposal.project
        if project is None:
            project = proposal.project = create_project(
                forum.partnership,
                title=proposal.title,
                summary=proposal.description,
                origin=Project.Origin.FORUM,
                origin_note=forum.title[:300],
                by=user,
                date=min(forum.date, timezone.localdate()),  # born at the forum, never in the future
                results=[r3] if r3 else [],
            )
            proposal.save(update_fields=["project", "updated_at"])
        projects.append(project)
    return projects
