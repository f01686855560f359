"""The demo's projects of result 4 (issue 18): the prickly-pear plantation of Toulaasri (evaluated)
and the listening centre's works and equipment (in progress), written through projects' actions;
the plantation's plants season by season, approved under four eyes."""

import datetime
from decimal import Decimal

from demo import projects as projects_demo
from demo.programme import load_framework
from indicators.figures import Sources
from partnerships.models import Organisation
from programme.models import Indicator, Measurement, cumulative
from projects.models import (
    BudgetLine,
    Evaluation,
    EvaluationTally,
    Milestone,
    Project,
    ProjectPartner,
    Spending,
    StageChange,
)

TODAY = datetime.date(2026, 11, 29)


def the(partnership, title) -> Project:
    return Project.objects.get(partnership=partnership, title=title)


def test_the_plantation_went_from_the_douars_idea_to_its_evaluation(partnership):
    project = the(partnership, projects_demo.PLANTATION)
    assert (project.kind, project.origin, project.stage) == (
        "socio-environnemental",
        "consultation",
        "evalue",
    )
    assert project.structure.code == "figuiers-toulaasri"
    assert set(project.results.values_list("code", flat=True)) == {"OC", "R4"}
    assert list(project.douars.values_list("code", flat=True)) == ["toulaasri"]
    assert list(project.target_groups.values_list("code", flat=True)) == ["ouvrieres-agricoles"]
    history = list(project.stage_changes.values_list("stage", "date"))
    assert [stage for stage, _date in history] == ["idee", "formule", "planifie", "en-cours", "evalue"]
    dates = [date for _stage, date in history]
    assert dates == sorted(dates) and dates[0].year == 2023 and dates[-1] <= TODAY
    cooperative = project.partners.get(organisation__slug=projects_demo.COOPERATIVE)
    assert cooperative.organisation.kind == Organisation.Kind.COOPERATIVE and cooperative.role
    assert project.partners.filter(organisation__slug="belfaa").exists()
    seasons = project.milestones.filter(title__startswith="Plantation, saison")
    assert seasons.count() == 2 and all(m.done for m in seasons)
    evaluation = project.evaluations.get()
    assert evaluation.lessons and evaluation.follow_up
    assert sum(t.count for t in evaluation.tallies.filter(sex="F")) == 28


def test_the_plantations_budget_in_dirhams_is_its_lines_at_their_rates(partnership):
    project = the(partnership, projects_demo.PLANTATION)
    lines = project.budget_lines.all()
    assert {line.currency for line in lines} == {"MAD", "EUR"}
    assert all(Decimal("10.8") <= line.rate <= Decimal("11.0") for line in lines if line.currency == "EUR")
    # By hand: 45 000 + 60 000 MAD (commune); 3 200 EUR × 10.8450; (3 500 + 1 800) EUR × 10.8030.
    by_hand = (
        Decimal("45000")
        + Decimal("60000")
        + Decimal("34704.00")  # 3 200 × 10.8450
        + Decimal("37810.50")  # 3 500 × 10.8030
        + Decimal("19445.40")  # 1 800 × 10.8030
    )
    assert sum((line.in_mad() for line in lines), Decimal(0)) == by_hand == Decimal("196959.90")
    spendings = Spending.objects.filter(line__project=project)
    assert all(s.document for s in spendings) and spendings.filter(document="FAC-2024-017").exists()


def test_the_one_spending_past_its_line_says_why(partnership):
    project = the(partnership, projects_demo.PLANTATION)
    over = Spending.objects.filter(line__project__partnership=partnership).exclude(over_reason="")
    assert over.count() == 1
    spending = over.get()
    assert spending.line.project == project and "pompe" in spending.over_reason
    spent = sum((s.amount for s in spending.line.spendings.all()), Decimal(0))
    assert spent > spending.line.amount and spent - spending.amount <= spending.line.amount


def test_the_centres_works_are_in_progress_with_the_shelter_still_to_equip(partnership):
    project = the(partnership, projects_demo.CENTRE_WORKS)
    assert (project.kind, project.origin, project.stage) == ("social", "commune", "en-cours")
    assert project.structure.code == "centre-ecoute"
    assert "R4" in set(project.results.values_list("code", flat=True))
    assert not project.douars.exists()  # a listening-centre record never says where
    assert [s.stage for s in project.stage_changes.all()] == ["idee", "formule", "planifie", "en-cours"]
    milestones = {m.title: m for m in project.milestones.all()}
    assert milestones["Salle d'écoute équipée"].done
    assert milestones["Travaux d'aménagement finalisés (cloisons, sanitaires, rampe d'accès)"].done
    shelter = milestones["Espace d'hébergement équipé"]
    assert not shelter.done and shelter.due == datetime.date(2026, 12, 20) and not shelter.late(TODAY)
    assert [m.title for m in project.milestones.all() if m.late(TODAY)] == [
        "Mise aux normes électriques et incendie réceptionnée"
    ]
    assert {line.category for line in project.budget_lines.all()} == {
        BudgetLine.Category.WORKS,
        BudgetLine.Category.EQUIPMENT,
    }
    assert Spending.objects.filter(line__project=project).count() == 5


def test_the_plants_of_each_season_show_as_approved_figures(partnership, users):
    indicator = Indicator.objects.get(result__partnership=partnership, code="R4.1")
    assert (indicator.source, indicator.period, indicator.by_sex) == ("manual", "cumulative", False)
    season_2024 = Measurement.objects.get(indicator=indicator, period=2024)
    assert season_2024.status == "approved" and season_2024.value == 1200
    assert season_2024.approval().user == users["coordination"]
    assert users["coordination"].pk not in season_2024.authors()
    season_2025 = Measurement.objects.get(indicator=indicator, period=2025)
    assert (season_2025.status, season_2025.value) == ("submitted", 1850)  # waits in "Mon travail"
    values = Sources(partnership).values(indicator)
    assert values[(2024, "T")] == 1200 and values.get((2025, "T"), 0) == 0  # only approved figures count
    assert values[(cumulative(2025), "T")] == 1200


def counts() -> list[int]:
    return [
        m.objects.count()
        for m in (
            Project,
            StageChange,
            ProjectPartner,
            Milestone,
            BudgetLine,
            Spending,
            Evaluation,
            EvaluationTally,
            Measurement,
            Organisation,
            Indicator,
        )
    ]


def test_loading_twice_adds_nothing(partnership):
    before = counts()
    load_framework(partnership)
    projects_demo.load(partnership)
    assert counts() == before


def test_both_projects_show_on_their_pages(client_for, partnership):
    from django.urls import reverse

    client = client_for("coordination")
    listing = client.get(reverse("projects:list", kwargs={"slug": partnership.slug})).content.decode()
    for title, milestone in (
        (projects_demo.PLANTATION, "Plantation, saison 1 (automne 2024)"),
        (projects_demo.CENTRE_WORKS, "Mise aux normes électriques et incendie réceptionnée"),
    ):
        project = the(partnership, title)
        url = reverse("projects:detail", kwargs={"slug": partnership.slug, "pk": project.pk})
        assert url in listing
        page = client.get(url)
        assert page.status_code == 200 and milestone in page.content.decode()
