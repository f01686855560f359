"""Forums, proposals and ballots for the tests, written through `participation.actions` as the pages
write them: a proposal is submitted while proposals are open, decided in review, and a ballot is cast
with a code the forum issued, so numbers, phases, used codes and counted ballots are what they would
be in use.

    forum = voting_forum(coordination, costs=[3000, 5000])   # two admissible proposals, the vote open
    vote(forum, [forum.proposals.first()], sex="F")          # one ballot, with a code of its own
"""

import datetime
from collections.abc import Iterable

import factory
from factory.django import DjangoModelFactory

from participation import actions
from participation.models import Ballot, Forum, PaperBatch, Proposal
from partnerships.tests.factories import PartnershipFactory


class ForumFactory(DjangoModelFactory):
    """A forum of a partnership, open for proposals, voting by approval (2 choices, 1 seat)."""

    class Meta:
        model = Forum

    partnership = factory.SubFactory(PartnershipFactory)
    slug = factory.Sequence(lambda n: f"f-forum-{n}")
    title = factory.Sequence(lambda n: f"Forum de test {n}")
    date = datetime.date(2026, 5, 1)
    place = "Salle de test"
    rule = Forum.Rule.APPROVAL
    max_choices = 2
    seats = 1


class ProposalFactory(factory.Factory):
    """A proposal submitted to `forum` (in its proposals phase) through `actions.submit_proposal`;
    `entered_by=<officer>` for a paper form she typed."""

    class Meta:
        model = Proposal

    forum = factory.SubFactory(ForumFactory)
    title = factory.Sequence(lambda n: f"Proposition de test {n}")
    description = "Une proposition de test."
    category = Proposal.Category.CULTURE
    estimated_cost = 3000
    sex = "F"
    age_band = "18-24"
    contact = ""

    @classmethod
    def _create(cls, model_class, forum, **fields):
        return actions.submit_proposal(forum, **fields)


def to_the_vote(forum: Forum, coordination, *, inadmissible: Iterable[Proposal] = ()) -> Forum:
    """Takes a forum in its proposals phase to the vote, as its coordinator does: review (each
    proposal decided admissible but `inadmissible`, with a public reason), deliberation, the vote."""
    refused = {p.pk for p in inadmissible}
    actions.advance_phase(forum, coordination)
    for proposal in forum.proposals.select_related("forum").order_by("number"):
        admissible = proposal.pk not in refused
        reason = "Recevable." if admissible else "Hors du territoire de la commune."
        actions.decide_admissibility(proposal, coordination, admissible=admissible, reason=reason)
    actions.advance_phase(forum, coordination)  # deliberation
    actions.advance_phase(forum, coordination)  # the vote
    forum.refresh_from_db()
    return forum


def voting_forum(coordination, costs: Iterable[int] = (3000, 5000), **forum_fields) -> Forum:
    """A forum of `coordination`'s partnership (unless `partnership=` is given) with one admissible
    proposal per cost, its vote open."""
    forum_fields.setdefault("partnership", coordination.memberships.get().partnership)
    # factory_boy's __new__ is untyped: calling a factory gives its model's row, here a Forum.
    forum: Forum = ForumFactory(**forum_fields)  # type: ignore[assignment]
    for cost in costs:
        ProposalFactory(forum=forum, estimated_cost=cost)
    return to_the_vote(forum, coordination)


def vote(
    forum: Forum, choices: Iterable[Proposal] = (), *, sex="X", age_band="nr", batch: PaperBatch | None = None
) -> Ballot:
    """One ballot for `choices`, with a code the forum issues for it (online, or in `batch`)."""
    code = actions.issue_codes(forum, 1)[0]
    return actions.cast_ballot(forum, code, [p.pk for p in choices], sex=sex, age_band=age_band, batch=batch)
