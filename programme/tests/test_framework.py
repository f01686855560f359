"""The results framework as data and as a page.

The first test reads the demo (`demo_world`): that the roadmap's targets were loaded exactly is a
property of the demo's data. The page and its languages are checked on a framework made by factories.
"""

import pytest
from django.urls import reverse

from programme.models import Indicator, Target

from .factories import GovernancePrincipleFactory, IndicatorFactory, ResultFactory, TargetFactory

pytestmark = pytest.mark.small_world


@pytest.mark.demo_world
def test_framework_holds_exactly_the_roadmap_targets(partnership):
    oc1, oc2, oc3 = (
        Indicator.objects.get(result__partnership=partnership, code=c) for c in ["OC.1", "OC.2", "OC.3"]
    )
    assert oc1.period == "cumulative"
    assert {(t.year, t.sex, t.value) for t in oc1.targets.all()} == {(None, "F", 150)}
    for indicator, f, m in [(oc2, 43, 51), (oc3, 6, 46)]:
        assert indicator.period == "annual"
        targets = {(t.year, t.sex): t.value for t in indicator.targets.all()}
        assert targets == {(y, s): v for y in range(2022, 2027) for s, v in [("F", f), ("M", m)]}
    assert Target.objects.filter(indicator__result__partnership=partnership).count() == 1 + 10 + 10


def framework(partnership):
    """An outcome with three indicators (one cumulative, two annual, targets by sex each year),
    results R1–R5 with one indicator each, and a principle."""
    outcome = ResultFactory(
        partnership=partnership, outcome=True, name="En 2026, les jeunes de test participent"
    )
    oc1 = IndicatorFactory(result=outcome, code="OC.1", period="cumulative")
    TargetFactory(indicator=oc1, year=None, sex="F", value=150)
    for code in ("OC.2", "OC.3"):
        indicator = IndicatorFactory(result=outcome, code=code)
        for year in partnership.years:
            TargetFactory(indicator=indicator, year=year, sex="F", value=43)
            TargetFactory(indicator=indicator, year=year, sex="M", value=51)
    for n in range(1, 6):
        result = ResultFactory(partnership=partnership, code=f"R{n}", name=f"Énoncé de test numéro {n}")
        TargetFactory(indicator=IndicatorFactory(result=result, code=f"R{n}.1"), year=2024, sex="T", value=7)
    GovernancePrincipleFactory(partnership=partnership, name="Principe d'égal accès de test")


def test_framework_page_shows_outcome_results_indicators_and_principles(
    client_for, partnership, django_assert_max_num_queries
):
    framework(partnership)
    client = client_for("jette")
    url = reverse("programme:framework", kwargs={"slug": partnership.slug})
    with django_assert_max_num_queries(15):
        html = client.get(url).content.decode().replace("&#x27;", "'")
    for code in ["OC", "R1", "R2", "R3", "R4", "R5", "OC.1", "OC.2", "OC.3", "R5.1"]:
        assert f'<span class="code">{code}</span>' in html
    assert "En 2026, les jeunes de test participent" in html
    assert all(f"Énoncé de test numéro {n}" in html for n in range(1, 6))
    assert "Principe d'égal accès de test" in html
    assert "2022–2026" in html and ">150<" in html


def test_indicator_names_follow_the_language(client_for, partnership):
    IndicatorFactory(
        result__partnership=partnership,
        name="Jeunes de test participant aux projets",
        translations={"en": {"name": "Test youth taking part in the projects"}},
    )
    client = client_for("coordination")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("programme:framework", kwargs={"slug": partnership.slug})).content.decode()
    assert "Test youth taking part in the projects" in html
    assert "Jeunes de test participant aux projets" not in html
