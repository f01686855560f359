"""A forum's participations count from its date, like everything else (nothing counts before)."""

import datetime

import pytest

from activities.tests.test_dates import today  # noqa: F401 — the fixture pinning today
from participation import actions, stats
from participation.tests.test_forums import new_forum, proposal_data

pytestmark = pytest.mark.small_world


def test_proposals_to_a_forum_to_come_count_from_its_day(partnership, today):  # noqa: F811
    today["today"] = datetime.date(2026, 6, 15)
    forum = new_forum(partnership, date=datetime.date(2026, 9, 12))
    before, by_year = stats.participations(partnership), stats.participations_by_year(partnership)
    actions.submit_proposal(forum, **{k: v for k, v in proposal_data().items() if k != "site_web"})
    assert stats.participations(partnership) == before
    assert stats.participations_by_year(partnership) == by_year
    today["today"] = forum.date
    assert stats.participations(partnership)["F"] == before["F"] + 1
    assert stats.participations_by_year(partnership)[(2026, "F")] == by_year.get((2026, "F"), 0) + 1
