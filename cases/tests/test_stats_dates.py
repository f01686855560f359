"""OC.1 counts a woman from the date of her case's first service: never before, never after today."""

import datetime

import pytest

from activities.tests.test_dates import today  # noqa: F401 — the fixture pinning today
from cases import actions, stats
from cases.access import listening_centre

pytestmark = pytest.mark.small_world


def test_a_woman_counts_from_her_first_service_never_before(partnership, users, today):  # noqa: F811
    def counts():
        by_year = stats.women_followed_by_year(partnership)  # one query, what the figures read
        assert by_year == {y: stats.women_followed(partnership, y)["F"] for y in partnership.years}
        return [stats.women_followed(partnership, y)["F"] for y in (2025, 2026)] + [
            stats.women_followed(partnership)["F"]
        ]

    days = (datetime.date(2026, 1, 5), datetime.date(2026, 2, 1))
    before = {}
    for day in days:
        today["today"] = day
        before[day] = counts()
    case = actions.open_case(
        structure=listening_centre(partnership),
        by=users["ecoute"],
        assigned_to=users["ecoute"],
        data={
            "opened_on": datetime.date(2025, 11, 20),
            "channel": "sante",
            "age_band": "25-34",
            "consent_services": True,
            "consent_referral": False,
            "consent_statistics": True,
        },
    )
    actions.give_listening_session(case, by=users["ecoute"], date=datetime.date(2026, 1, 10))
    today["today"] = days[0]  # her case is open, her first service is still to come
    assert counts() == before[days[0]]
    today["today"] = days[1]  # followed since 10 January 2026: in 2026 and the programme, not 2025
    assert counts() == [n + (i > 0) for i, n in enumerate(before[days[1]])]
