"""Counts the indicator engine and the public pages read: participations of youth in the forums.

A participation is one act of taking part (a proposal submitted, a counted ballot), never a distinct
person: forums collect no identity, so the same young woman proposing and voting counts twice, as
tallies do (PRODUCT.md 2). A participation is dated by its forum: those of a forum dated after today
(proposals may come in before the day) count once that day has come, like everything else.
"""

from collections import Counter

from django.db.models import Count
from django.utils import timezone

from .models import AgeBand, Ballot, Forum, Proposal, Sex
from .suppression import suppress


def _scope(model, partnership, year):
    rows = model.objects.filter(forum__partnership=partnership, forum__date__lte=timezone.localdate())
    if year is not None:
        rows = rows.filter(forum__date__year=year)
    return rows


def _count(partnership, year, field, keys) -> dict[str, int]:
    counts = Counter(dict.fromkeys(keys, 0))
    proposals = _scope(Proposal, partnership, year)
    ballots = _scope(Ballot, partnership, year).counted()
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
    """Counted ballots of a forum by sex and by age band, suppressed for publication (SECURITY.md 8).

    Both breakdowns share the same total; if either must hide it, both do.
    """
    ballots = Ballot.objects.filter(forum=forum).counted()
    by_sex = Counter(dict.fromkeys(Sex.values, 0))
    by_age = Counter(dict.fromkeys(AgeBand.values, 0))
    for row in ballots.values("sex", "age_band").annotate(n=Count("pk")).order_by():
        by_sex[row["sex"]] += row["n"]
        by_age[row["age_band"]] += row["n"]
    sex_cells, sex_total = suppress(dict(by_sex))
    age_cells, age_total = suppress(dict(by_age))
    total = sex_total if sex_total is not None and age_total is not None else None
    labels = {**dict(Sex.choices), **dict(AgeBand.choices)}
    return {
        "by_sex": [(labels[c.key], c) for c in sex_cells],
        "by_age": [(labels[c.key], c) for c in age_cells],
        "total": total,
    }


def participations_by_year(partnership) -> dict[tuple[int, str], int]:
    """{(year of the forum, sex): participations} of all the partnership's forums, in one query
    (the indicator engine reads this for the `forums` source)."""

    def per_year(rows):
        return rows.values_list("forum__date__year", "sex").annotate(n=Count("pk")).order_by()

    proposals = per_year(_scope(Proposal, partnership, None))
    ballots = per_year(_scope(Ballot, partnership, None).counted())
    counts = Counter()
    for year, sex, n in proposals.union(ballots, all=True):
        counts[(year, sex)] += n
    return dict(counts)
