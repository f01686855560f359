"""Counting properties (hypothesis): totals, budget, determinism, the limits of a ballot."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from participation.counting import BallotRefused, Candidate, check_ballot, ranking, tally, winners

candidate_lists = st.lists(st.integers(min_value=1, max_value=50_000), min_size=1, max_size=8).map(
    lambda costs: [Candidate(id=i + 100, number=i + 1, cost=c) for i, c in enumerate(costs)]
)


@st.composite
def elections(draw):
    candidates = draw(candidate_lists)
    ids = [c.id for c in candidates]
    ballots = draw(st.lists(st.lists(st.sampled_from(ids), unique=True, max_size=len(ids)), max_size=60))
    return candidates, ballots


@given(elections())
def test_totals_equal_the_sum_of_ballots(election):
    candidates, ballots = election
    votes = tally(ballots, candidates)
    assert sum(votes.values()) == sum(len(b) for b in ballots)
    assert set(votes) == {c.id for c in candidates}


@given(elections(), st.integers(min_value=0, max_value=200_000))
def test_a_budget_is_never_exceeded(election, budget):
    candidates, ballots = election
    chosen = winners("budget", candidates, tally(ballots, candidates), seats=None, budget=budget)
    assert sum(c.cost for c in chosen) <= budget


@given(elections(), st.integers(min_value=0, max_value=200_000))
def test_budget_winners_are_taken_in_vote_order_while_they_fit(election, budget):
    candidates, ballots = election
    votes = tally(ballots, candidates)
    chosen = winners("budget", candidates, votes, seats=None, budget=budget)
    left = budget
    for c in ranking(candidates, votes):
        if votes[c.id] == 0:
            assert c not in chosen
        elif c in chosen:
            left -= c.cost
        else:  # a voted proposal is left out only if it no longer fitted when its turn came
            assert c.cost > left


@given(elections(), st.integers(min_value=1, max_value=5), st.randoms(use_true_random=False))
def test_the_same_ballots_always_give_the_same_winners(election, seats, rnd):
    candidates, ballots = election
    shuffled_ballots = [list(b) for b in ballots]
    rnd.shuffle(shuffled_ballots)
    for b in shuffled_ballots:
        rnd.shuffle(b)
    shuffled_candidates = list(candidates)
    rnd.shuffle(shuffled_candidates)
    for rule, kw in (
        ("approbation", {"seats": seats, "budget": None}),
        ("budget", {"seats": None, "budget": 60_000}),
    ):
        first = winners(rule, candidates, tally(ballots, candidates), **kw)
        again = winners(rule, shuffled_candidates, tally(shuffled_ballots, shuffled_candidates), **kw)
        assert first == again


@given(elections(), st.integers(min_value=1, max_value=5))
def test_approval_selects_at_most_seats_and_only_voted_proposals(election, seats):
    candidates, ballots = election
    votes = tally(ballots, candidates)
    chosen = winners("approbation", candidates, votes, seats=seats, budget=None)
    assert len(chosen) <= seats
    assert all(votes[c.id] > 0 for c in chosen)
    losers = [c for c in candidates if c not in chosen]
    if len(chosen) == seats:
        assert min(votes[c.id] for c in chosen) >= max((votes[c.id] for c in losers), default=0)


def test_ties_go_to_the_cheaper_then_the_earlier_proposal():
    a, b, c = Candidate(1, 1, 9000), Candidate(2, 2, 5000), Candidate(3, 3, 5000)
    votes = {1: 4, 2: 4, 3: 4}
    assert winners("approbation", [a, b, c], votes, seats=2, budget=None) == [b, c]
    assert winners("budget", [c, b, a], votes, seats=None, budget=10_000) == [b, c]


@settings(max_examples=50)
@given(candidate_lists, st.integers(min_value=0, max_value=8))
def test_an_approval_ballot_over_the_limit_is_refused_with_a_clear_message(candidates, limit):
    if len(candidates) > limit:
        with pytest.raises(BallotRefused, match=f"au plus {limit}"):
            check_ballot("approbation", candidates, max_choices=limit, budget=None)
    else:
        check_ballot("approbation", candidates, max_choices=limit, budget=None)


@given(candidate_lists, st.integers(min_value=0, max_value=100_000))
def test_a_budget_ballot_over_the_budget_is_refused_with_a_clear_message(candidates, budget):
    total = sum(c.cost for c in candidates)
    if total > budget:
        with pytest.raises(BallotRefused, match=f"coûtent {total} DH, au-delà du budget de {budget} DH"):
            check_ballot("budget", candidates, max_choices=None, budget=budget)
    else:
        check_ballot("budget", candidates, max_choices=None, budget=budget)


def test_a_proposal_cannot_be_chosen_twice():
    a = Candidate(1, 1, 100)
    with pytest.raises(BallotRefused, match="qu'une fois"):
        check_ballot("approbation", [a, a], max_choices=3, budget=None)


def test_ranking_is_a_total_order_regardless_of_input_order():
    rng = random.Random(7)
    cands = [Candidate(i, i, rng.choice([100, 200])) for i in range(1, 9)]
    votes = {c.id: rng.choice([0, 1, 2]) for c in cands}
    expected = ranking(cands, votes)
    for _ in range(20):
        rng.shuffle(cands)
        assert ranking(cands, votes) == expected
