"""docs/security.md 7, 8, 9: what leaves the centre counts consenting cases only, with small cells
suppressed so that no hidden cell can be worked out from what is published."""

import datetime

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from cases import actions, stats
from cases.access import listening_centre
from cases.models import Case
from core.disclosure import breakdown
from programme.models import Target

THRESHOLD = stats.THRESHOLD


def everything(partnership):
    return (
        stats.women_followed(partnership),
        stats.women_followed(partnership, 2025),
        stats.by_year(partnership),
        stats.by_age_band(partnership),
        stats.by_incident_type(partnership),
        stats.by_service(partnership),
        stats.by_age_band(partnership, 2025),
    )


def new_case(partnership, user, consent_statistics):
    case = actions.open_case(
        structure=listening_centre(partnership),
        by=user,
        assigned_to=user,
        data={
            "opened_on": datetime.date(2025, 5, 5),
            "channel": "sante",
            "age_band": "50+",
            "consent_services": True,
            "consent_referral": True,
            "consent_statistics": consent_statistics,
        },
    )
    actions.add_incident(case, by=user, date=case.opened_on, type="viol", context="autre", year=2025, month=4)
    actions.give_listening_session(case, by=user, date=case.opened_on)
    actions.shelter(case, by=user, date=case.opened_on, children_count=0)
    return case


@pytest.mark.small_world
def test_a_non_consenting_case_changes_no_published_number(partnership, users, client_for):
    before = everything(partnership)
    url = reverse("cases:statistics", kwargs={"slug": partnership.slug})
    pages_before = {p: client_for(p).get(url).content for p in ["coordination", "centre", "jette"]}
    new_case(partnership, users["ecoute"], consent_statistics=False)
    assert everything(partnership) == before
    for persona, body in pages_before.items():
        after = client_for(persona).get(url).content
        strip = lambda b: b.split(b"csrfmiddlewaretoken")[0]  # noqa: E731
        assert strip(after) == strip(body), persona


@pytest.mark.small_world
def test_a_consenting_case_is_counted(partnership, users):
    before = stats.women_followed(partnership)["F"]
    new_case(partnership, users["ecoute"], consent_statistics=True)
    assert stats.women_followed(partnership) == {"F": before + 1}
    assert stats.women_followed(partnership, 2024)["F"] <= before


def test_oc1_counts_distinct_consenting_women_followed(partnership):
    followed = stats.women_followed(partnership)["F"]
    consenting = Case.objects.filter(partnership=partnership, consent_statistics=True).count()
    assert 50 <= followed <= consenting <= 80  # the demo: realistic progress toward 150
    yearly = [stats.women_followed(partnership, y)["F"] for y in partnership.years]
    assert yearly == sorted(yearly) and yearly[-1] == followed  # cumulative


def test_stats_return_counts_only(partnership):
    for table in everything(partnership):
        assert all(isinstance(k, str) and isinstance(v, int) for k, v in table.items())


def test_centre_coordinator_sees_unsuppressed_everyone_else_suppressed(partnership, client_for):
    url = reverse("cases:statistics", kwargs={"slug": partnership.slug})
    coordinator = client_for("centre").get(url)
    assert not coordinator.context["suppressed"]
    assert "&lt; 10" not in coordinator.content.decode()
    for persona in ["coordination", "ecoute", "jette", "reseau", "admin"]:
        response = client_for(persona).get(url)
        assert response.context["suppressed"], persona
        assert "&lt; 10" in response.content.decode()  # the demo has small cells (e.g. 50+)
        for _title, table in response.context["tables"]:
            for _label, cell in table["rows"]:
                assert cell.hidden or cell.value == 0 or cell.value >= THRESHOLD


def test_other_partnership_sees_nothing_of_belfaa(world, client_for):
    response = client_for("autre_coordination").get(
        reverse("cases:statistics", kwargs={"slug": world["other"].slug})
    )
    assert response.status_code == 200
    # Outside the centre OC.1 is not on this page; every table is of the other partnership (empty).
    assert response.context["followed"] is None
    for _title, table in response.context["tables"]:
        assert all(cell.value in (None, 0) for _label, cell in table["rows"])


# The property: an intruder who knows the rule tries every value each hidden cell could take.
def possible_values(cells, total):
    """For each hidden cell, the set of values consistent with the published cells and total."""
    hidden = [i for i, c in enumerate(cells) if c.hidden]
    ranges = {i: range(1, THRESHOLD) if cells[i].mark == "< 10" else range(THRESHOLD, 10_000) for i in hidden}
    if total.hidden:
        return {i: set(ranges[i][:2]) for i in hidden}  # no equation: at least two values each
    rest = total.value - sum(c.value for c in cells if not c.hidden)
    found = {}
    for i in hidden:
        others = [j for j in hidden if j != i]
        low = sum(ranges[j].start for j in others)
        high = sum(ranges[j].stop - 1 for j in others)
        found[i] = {v for v in ranges[i] if v <= rest and low <= rest - v <= high}
    return found


@settings(max_examples=400, deadline=None, database=None)
@given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=7))
def test_no_suppressed_cell_is_solvable_from_the_published_margins(values):
    cells, total = breakdown(dict(enumerate(values)), THRESHOLD)
    cells = list(cells.values())
    for value, cell in zip(values, cells, strict=True):
        if 0 < value < THRESHOLD:
            assert cell.mark == "< 10"  # every small cell is hidden
        if not cell.hidden:
            assert cell.value == value
    if 0 < sum(values) < THRESHOLD:
        assert total.hidden
    for i, candidates in possible_values(cells, total).items():
        assert values[i] in candidates or total.hidden
        assert len(candidates) >= 2, f"cell {i} of {values} is solvable: {candidates}"


def test_suppression_examples():
    cells, total = breakdown(dict(enumerate([12, 3, 40])), THRESHOLD)
    assert [str(c) for c in cells.values()] == ["×", "< 10", "40"] and str(total) == "55"
    cells, total = breakdown(dict(enumerate([9, 9])), THRESHOLD)
    assert str(total) == "×"
    cells, total = breakdown(dict(enumerate([0, 0, 25])), THRESHOLD)
    assert [str(c) for c in cells.values()] == ["0", "0", "25"] and str(total) == "25"


def test_the_tables_of_a_year_are_protected_together(partnership):
    """The age bands of a year add up to that year's cases in the first table: the page never shows
    one of the two and hides the other, and shows the same number in both."""
    for year in partnership.years:
        page = stats.published(partnership, year, suppressed=True)
        cases_of_year, age_total = page["by_year"]["rows"][str(year)], page["by_age"]["total"]
        assert cases_of_year.hidden == age_total.hidden, year
        assert (
            cases_of_year.value == age_total.value == stats.by_year(partnership)[str(year)]
            or age_total.hidden
        )
    whole = stats.published(partnership, None, suppressed=False)
    assert whole["followed"].value == stats.women_followed(partnership)["F"]
    assert whole["by_age"]["total"].value >= whole["by_year"]["total"].value


def test_the_statistics_page_reads_oc1_and_its_target_from_the_framework(partnership, client_for):
    """The centre's coordinator reads OC.1 against the framework's target (150, never typed in the
    code); outside the centre OC.1 is left to the dashboard, published there by the one disclosure."""

    url = reverse("cases:statistics", kwargs={"slug": partnership.slug})
    followed = stats.women_followed(partnership)["F"]
    centre = client_for("centre").get(url).content.decode()
    assert f"{followed} sur une cible de 150" in centre
    assert 'id="oc1"' not in client_for("coordination").get(url).content.decode()
    Target.objects.filter(indicator__result__partnership=partnership, indicator__code="OC.1").update(
        value=160
    )
    assert f"{followed} sur une cible de 160" in client_for("centre").get(url).content.decode()


@pytest.mark.small_world
def test_the_statistics_page_reads_the_year_asked_within_the_programme(partnership, client_for):
    """`?annee=` as every page reads it (Partnership.asked_year): a year of the programme is that
    year, one outside is brought within it, none or nonsense is every year."""
    url = reverse("cases:statistics", kwargs={"slug": partnership.slug})
    centre = client_for("centre")
    first, last = partnership.start_year, partnership.end_year
    asked = {"": None, "abc": None, str(first + 1): first + 1, "1999": first, "2999": last}
    for value, year in asked.items():
        response = centre.get(url, {"annee": value})
        assert response.status_code == 200
        assert response.context["year"] == year, value
