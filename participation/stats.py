"""Counts the indicator engine and the public pages read: participations of youth in the forums.

A participation is one act of taking part (a proposal submitted, a counted ballot), never a distinct
person: forums collect no identity, so the same young woman proposing and voting counts twice, as
tallies do (docs/product.md 2). A participation is dated by its forum: those of a forum dated after today
(proposals may come in before the day) count once that day has come, like everything else.
"""

from collections import Counter
from typing import TypeVar

from django.db.models import Count, QuerySet
from django.utils import timezone

from core.disclosure import THRESHOLDS, protect, total

from .models import AgeBand, Ballot, Forum, Proposal, Sex

_Rows = TypeVar("_Rows", bound=QuerySet)


def _scope(rows: _Rows, partnership, year) -> _Rows:
    """`rows` (of a model with a forum) of the partnership's forums held by today, of `year` if given."""
    rows = rows.filter(forum__partnership=partnership, forum__date__lte=timezone.localdate())
    if year is not None:
        rows = rows.filter(forum__date__year=year)
    return rows


def _count(partnership, year, field, keys) -> dict[str, int]:
    counts = Counter(dict.fromkeys(keys, 0))
    proposals = _scope(Proposal.objects.all(), partnership, year)
    ballots = _scope(Ballot.objects.counted(), partnership, year)
    for rows in (proposals, ballots):
        for row in rows.values(field).annotate(n=Count("pk")).order_by():
            counts[row[field]] += row["n"]
    return dict(counts)


def participations(partnership, year=None) -> dict[str, int]:
    """Proposers and voters of the partnership's forums (of `year`'s forums if given), by sex F/M/X."""
    return _count(partnership, year, "sex", Sex.values)


def participations_by_age_band(partnership, year=None) -> dict[str, int]:
    """The same participations by age band (keys: participation.models.AgeBand values)."""
    return _count(partnership, year, "age_band", AgeBand.values)


def turnout(forum: Forum) -> dict:
    """Counted ballots of a forum by sex and by age band, suppressed for publication (docs/security.md 8):
    {"by_sex": [(key, label, Cell)], "by_age": [...], "total": Cell}.

    Both breakdowns add up to the same total, so they are protected together as one table.
    """
    ballots = Ballot.objects.filter(forum=forum).counted()
    values: dict[tuple[str, str] | str, int] = dict.fromkeys(
        [("sex", s) for s in Sex.values] + [("age", a) for a in AgeBand.values], 0
    )
    for row in ballots.values("sex", "age_band").annotate(n=Count("pk")).order_by():
        values[("sex", row["sex"])] += row["n"]
        values[("age", row["age_band"])] += row["n"]
    values["total"] = sum(values[("sex", s)] for s in Sex.values)
    relations = [total([key for key in values if key[0] == line], "total") for line in ("sex", "age")]
    cells = protect(values, relations, THRESHOLDS["registry"])
    labels = {("sex", k): v for k, v in Sex.choices} | {("age", k): v for k, v in AgeBand.choices}
    return {
        "by_sex": [(s, labels[("sex", s)], cells[("sex", s)]) for s in Sex.values],
        "by_age": [(a, labels[("age", a)], cells[("age", a)]) for a in AgeBand.values],
        "total": cells["total"],
    }


def participations_by_year(partnership) -> dict[tuple[int, str], int]:
    """{(year of the forum, sex): participations} of all the partnership's forums, in one query
    (the indicator engine reads this for the `forums` source)."""

    def per_year(rows) -> QuerySet:
        return rows.values_list("forum__date__year", "sex").annotate(n=Count("pk")).order_by()

    proposals = per_year(_scope(Proposal.objects.all(), partnership, None))
    ballots = per_year(_scope(Ballot.objects.counted(), partnership, None))
    counts: Counter[tuple[int, str]] = Counter()
    for year, sex, n in proposals.union(ballots, all=True):
        counts[(year, sex)] += n
    return dict(counts)
