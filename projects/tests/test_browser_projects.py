"""In a browser, on a 360 px phone, in French and in Arabic (right to left): the coordinator takes a
new project from the idea to its evaluation (issue 18's "done when"), with a budget line in euros typed
the French way, a spending, a milestone and a participatory evaluation; then she reads budget against
spending for the partnership, and the annual report shows both the budget and the coverage map.
Every page fits the screen and axe finds no serious or critical violation."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from collect.tests.test_browser_collect import problems
from conftest import build_world
from core.tests.test_browser_every_page import sign_in
from people.models import TargetGroup
from projects.models import Project, Stage

pytestmark = pytest.mark.browser


def _stage(page, stage: str, day: datetime.date) -> None:
    page.check(f"#cycle input[name=stage][value='{stage}']")
    page.fill("#cycle input[name=date]", day.isoformat())
    page.click("#cycle button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_coordinator_takes_a_project_from_idea_to_evaluation(language, browser_page):
    world = build_world()
    partnership = world["partnership"]
    slug = partnership.slug
    page = browser_page
    sign_in(page.context, page.base_url, "coordination", world)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
    failures: list[str] = []
    today = timezone.localdate()

    page.goto(page.base_url + reverse("projects:list", kwargs={"slug": slug}))
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    failures += problems(page)
    page.click(f"a[href='{reverse('projects:new', kwargs={'slug': slug})}']")
    failures += problems(page)
    page.fill("#id_title", "Puits pastoral de Lahrach")
    page.fill("#id_summary", "Un point d'eau pour les troupeaux, géré par les éleveuses.")
    page.select_option("#id_kind", "socio-environnemental")
    page.select_option("#id_origin", "consultation")
    r4 = partnership.results.get(code="R4")
    page.check(f"input[name=results][value='{r4.pk}']")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    project = Project.objects.get(title="Puits pastoral de Lahrach")
    assert project.stage == Stage.IDEA and list(project.results.all()) == [r4]
    failures += problems(page)

    _stage(page, Stage.FORMULATED, today)
    page.click("#jalons summary")
    page.fill("#jalons input[name=title]", "Forage réceptionné")
    page.fill("#jalons input[name=due]", today.isoformat())
    page.click("#jalons form button[type=submit]")
    page.wait_for_load_state()
    _stage(page, Stage.PLANNED, today)
    _stage(page, Stage.IN_PROGRESS, today)
    project.refresh_from_db()
    assert project.stage == Stage.IN_PROGRESS
    assert [s.stage for s in project.stage_changes.all()] == ["idee", "formule", "planifie", "en-cours"]
    failures += problems(page)

    page.goto(page.base_url + reverse("projects:budget", kwargs={"slug": slug, "pk": project.pk}))
    failures += problems(page)
    form = page.locator("#ajouter-ligne form")
    form.locator("[name$='-category']").select_option("travaux")
    form.locator("[name$='-label']").fill("Forage")
    form.locator("[name$='-funder']").select_option("jette")
    form.locator("[name$='-year']").fill(str(today.year))
    form.locator("[name$='-amount']").fill("1 000,50")
    form.locator("[name$='-currency']").select_option("EUR")
    form.locator("[name$='-rate']").fill("10,85")
    form.locator("[name$='-rate_date']").fill(today.isoformat())
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    line = project.budget_lines.get()
    assert (line.amount, line.rate, line.in_mad()) == (
        Decimal("1000.50"),
        Decimal("10.85"),
        Decimal("10855.43"),
    )
    spend = page.locator("#ajouter-depense form")
    spend.locator("[name$='-line']").select_option(str(line.pk))
    spend.locator("[name$='-date']").fill(today.isoformat())
    spend.locator("[name$='-amount']").fill("400,25")
    spend.locator("[name$='-document']").fill("FAC-LAH-001")
    spend.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert line.spendings.get().amount == Decimal("400.25")
    failures += problems(page)

    page.goto(page.base_url + reverse("projects:evaluation_new", kwargs={"slug": slug, "pk": project.pk}))
    failures += problems(page)
    page.fill("[name=date]", today.isoformat())
    page.fill("[name=findings]", "Le puits sert chaque jour ; l'entretien est partagé.")
    group = TargetGroup.objects.first()
    page.fill(f"[name='n-{group.code}-F']", "14")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto(page.base_url + reverse("projects:detail", kwargs={"slug": slug, "pk": project.pk}))
    _stage(page, Stage.EVALUATED, today)
    project.refresh_from_db()
    assert project.stage == Stage.EVALUATED and project.evaluations.count() == 1
    failures += problems(page)

    page.goto(page.base_url + reverse("projects:budgets", kwargs={"slug": slug}))
    expect(page.locator("main")).to_contain_text("Puits pastoral de Lahrach")
    failures += problems(page)
    page.goto(page.base_url + reverse("reports:annual", kwargs={"slug": slug, "year": today.year}))
    expect(page.locator("#report-budget")).to_contain_text("Puits pastoral de Lahrach")
    assert page.locator("#report-coverage svg").count() == 1
    failures += problems(page)
    assert not failures, "\n".join(failures)
