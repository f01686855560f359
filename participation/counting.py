"""Counting the votes: pure functions, no database, so their properties can be tested exhaustively.

Tie-break (stated on the results page): more votes first; on equal votes, the lower estimated cost
first (it leaves room for more projects); on equal cost, the proposal submitted first (lower number).
The order is total, so the same ballots always give the same winners.

Budget rule (as participatory budgets do): proposals are taken in that order while they fit in what
remains of the budget; a proposal that no longer fits is skipped and the next ones are still tried.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Candidate:
    id: int
    number: int
    cost: int


class BallotRefused(ValueError):
    """A ballot the rules refuse; the message is shown to the voter or the officer as is."""


def check_ballot(rule: str, choices: list[Candidate], *, max_choices: int | None, budget: int | None) -> None:
    """Refuse, with a clear French message, a ballot that breaks the forum's rule."""
    ids = [c.id for c in choices]
    if len(set(ids)) != len(ids):
        raise BallotRefused(_("Un projet ne peut être choisi qu'une fois."))
    if rule == "approbation" and len(choices) > (max_choices or 0):
        raise BallotRefused(
            _("Vous avez choisi %(n)s projets : ce vote en permet au plus %(max)s.")
            % {"n": len(choices), "max": max_choices}
        )
    if rule == "budget":
        total = sum(c.cost for c in choices)
        if total > (budget or 0):
            raise BallotRefused(
                _("Vos choix coûtent %(total)s DH, au-delà du budget de %(budget)s DH : retirez un projet.")
                % {"total": total, "budget": budget}
            )


def tally(ballots: Iterable[Iterable[int]], candidates: Iterable[Candidate]) -> dict[int, int]:
    """Votes per candidate id (every candidate listed, with 0 when nobody chose it)."""
    votes = {c.id: 0 for c in candidates}
    for ballot in ballots:
        for choice in set(ballot):
            votes[choice] += 1
    return votes


def ranking(candidates: Iterable[Candidate], votes: dict[int, int]) -> list[Candidate]:
    """Candidates in the order of the tie-break rule (see the module docstring)."""
    return sorted(candidates, key=lambda c: (-votes.get(c.id, 0), c.cost, c.number, c.id))


def winners(
    rule: str,
    candidates: Iterable[Candidate],
    votes: dict[int, int],
    *,
    seats: int | None,
    budget: int | None,
) -> list[Candidate]:
    """The selected proposals, in ranking order. A proposal with no vote is never selected."""
    ranked = [c for c in ranking(candidates, votes) if votes.get(c.id, 0) > 0]
    if rule == "approbation":
        return ranked[: seats or 0]
    chosen, remaining = [], budget or 0
    for candidate in ranked:
        if candidate.cost <= remaining:
            chosen.append(candidate)
            remaining -= candidate.cost
    return chosen
