"""What a hostile review found in projects, each fixed: amounts typed with a decimal comma, double
submits, dates out of the partnership's years, writes to a closed project, and a partner not in the
list."""

import datetime
import html
from decimal import Decimal

import lxml.html
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Organisation
from projects.actions import move_stage, record_spending
from projects.budget_forms import BudgetLineForm, SpendingForm
from projects.models import BudgetLine, Milestone, Project, ProjectPartner, Spending, Stage

from .test_budget import _add_line, _spend, forum_projects, line

D = Decimal
TODAY = timezone.localdate


def url(name, project, **kwargs) -> str:
    return reverse(f"projects:{name}", kwargs={"slug": project.partnership.slug, "pk": project.pk, **kwargs})


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def project(world) -> Project:
    return forum_projects(world)[0]


# 1. Amounts and rates: a decimal comma is a decimal comma.


def test_money_and_rates_are_text_inputs_with_the_decimal_keypad(project):
    fields = [BudgetLineForm(project=project)["amount"], BudgetLineForm(project=project)["rate"]]
    fields.append(SpendingForm(lines=project.budget_lines.all())["amount"])
    for field in fields:
        node = lxml.html.fragment_fromstring(str(field))
        assert node.get("type") == "text" and node.get("inputmode") == "decimal", field.name


@pytest.mark.parametrize("typed", ["1000,50", "1000.50", "1 000,50", "1\u00a0000,50", "1\u202f000,50"])
def test_an_amount_with_a_comma_a_point_or_grouped_thousands_is_exact(project, client_for, typed):
    client = client_for("coordination")
    response = _add_line(client, project, label="Terrain", amount=typed, rate="10,85")
    assert response.status_code == 302, text(response)
    added = project.budget_lines.get(label="Terrain")
    assert added.amount == D("1000.50") and added.rate == D("10.85")


@pytest.mark.parametrize("typed", ["1.000,50", "1000,50 €", "mille", "1,2,3", "10 00", "-5"])
def test_anything_else_is_refused_in_french_and_nothing_is_added(project, client_for, typed):
    response = _add_line(client_for("coordination"), project, label="Terrain", amount=typed)
    assert response.status_code == 200
    assert "Saisissez un nombre, avec une virgule ou un point pour les décimales" in text(response)
    assert not project.budget_lines.filter(label="Terrain").exists()


def test_a_spending_typed_with_a_comma_is_exact(project, client_for):
    budget_line = line(project, "5000.00")
    assert _spend(client_for("coordination"), project, budget_line, "1 234,56").status_code == 302
    assert budget_line.spendings.get().amount == D("1234.56")


@pytest.mark.parametrize("rate", ["108,5", "1,085", "4,99", "20,01"])
def test_an_implausible_euro_rate_is_refused(project, client_for, rate):
    response = _add_line(client_for("coordination"), project, label="Terrain", rate=rate)
    assert f"Taux invraisemblable : {rate} dirhams pour 1 euro" in text(response)
    assert "par exemple 10,85" in text(response)
    assert not project.budget_lines.filter(label="Terrain").exists()


def test_the_rate_the_hint_gives_is_accepted(project, client_for):
    assert _add_line(client_for("coordination"), project, label="Terrain", rate="10,85").status_code == 302


# 2. Double submits.


def test_the_same_spending_twice_is_recorded_once(project, client_for):
    budget_line = line(project, "5000.00")
    client = client_for("coordination")
    assert _spend(client, project, budget_line, "100,00").status_code == 302
    again = _spend(client, project, budget_line, "100.00")
    assert again.status_code == 200 and "Cette dépense est déjà enregistrée." in text(again)
    assert budget_line.spendings.count() == 1
    with pytest.raises(ValidationError, match="déjà enregistrée"):
        record_spending(budget_line, date=datetime.date(2025, 3, 10), amount=D("100"), document="fac-2025-17")
    # Another document the same day is another spending.
    record_spending(budget_line, date=datetime.date(2025, 3, 10), amount=D("100"), document="FAC-2025-18")
    assert budget_line.spendings.count() == 2


def test_a_partner_added_twice_is_a_clear_error_not_a_500(project, client_for):
    organisation = Organisation.objects.create(slug="asso-test", name="Association Test", kind="association")
    client = client_for("coordination")
    data = {"new_name": "Association Test", "new_kind": "", "role": "Animation"}
    assert client.post(url("partner_add", project), data).status_code == 302
    again = client.post(url("partner_add", project), data)
    assert again.status_code == 200 and "Cette organisation est déjà partenaire du projet." in text(again)
    assert project.partners.filter(organisation=organisation).count() == 1


def test_the_same_milestone_twice_is_refused(project, client_for):
    client = client_for("coordination")
    data = {"title": "Réception des plants", "due": "2026-04-01"}
    assert client.post(url("milestone_add", project), data).status_code == 302
    again = client.post(url("milestone_add", project), {**data, "title": "réception des plants "})
    assert again.status_code == 200 and "Ce jalon existe déjà, avec la même échéance." in text(again)
    assert project.milestones.filter(title__iexact="Réception des plants").count() == 1


def test_a_partner_saved_at_the_same_moment_is_a_clear_error_not_a_500(
    world, project, client_for, monkeypatch
):
    """Two submits at once: both forms are valid, the second save meets project_partner_once."""
    from projects import forms as project_forms

    organisation = Organisation.objects.create(slug="asso-test", name="Association Test", kind="association")
    ProjectPartner.objects.create(
        project=forum_projects(world)[1], organisation=organisation, role="Animation"
    )
    original = project_forms.PartnerForm.save

    def save_after_the_other(self, commit=True):
        ProjectPartner.objects.create(project=project, organisation=organisation, role="L'autre envoi")
        return original(self, commit)

    monkeypatch.setattr(project_forms.PartnerForm, "save", save_after_the_other)
    data = {"organisation": organisation.pk, "role": "Animation"}
    response = client_for("coordination").post(url("partner_add", project), data)
    assert response.status_code == 200 and "Cette organisation est déjà partenaire du projet." in text(
        response
    )
    assert not project.partners.filter(role="Animation").exists()  # (the test's other row went with it)


# 3. Dates and years.


@pytest.mark.parametrize("year", ["2021", "2027"])
def test_a_budget_line_is_of_one_of_the_partnerships_years(project, client_for, year):
    response = _add_line(client_for("coordination"), project, label="Terrain", year=year)
    assert "L'année d'une ligne est une année du partenariat, de 2022 à 2026." in text(response)
    assert not project.budget_lines.filter(label="Terrain").exists()


@pytest.mark.parametrize(
    "day, error",
    [
        (lambda: TODAY() + datetime.timedelta(days=1), "La date du taux ne peut pas être dans le futur."),
        (lambda: datetime.date(1999, 12, 31), "La date du taux ne peut pas précéder l'an 2000."),
    ],
)
def test_a_rate_date_is_neither_in_the_future_nor_before_2000(project, client_for, day, error):
    response = _add_line(client_for("coordination"), project, label="Terrain", rate_date=day().isoformat())
    assert error in text(response)
    assert not project.budget_lines.filter(label="Terrain").exists()


def test_a_spending_before_the_partnership_is_refused(project, client_for):
    budget_line = line(project, "5000.00")
    data = {
        "depense-line": budget_line.pk,
        "depense-date": "2021-12-31",
        "depense-amount": "10,00",
        "depense-document": "FAC-1",
    }
    response = client_for("coordination").post(url("spending_add", project), data)
    assert "La date ne peut pas précéder le début du partenariat" in text(response)
    assert not budget_line.spendings.exists()
    record_spending(budget_line, date=datetime.date(2022, 1, 1), amount=D("10"), document="FAC-1")


@pytest.mark.parametrize("due", ["2020-12-31", "2029-01-01"])
def test_a_milestone_is_due_around_the_partnerships_years(project, client_for, due):
    response = client_for("coordination").post(url("milestone_add", project), {"title": "Loin", "due": due})
    assert (
        response.status_code == 200
        and "L'échéance doit tomber entre le 01/01/2021 et le 31/12/2028" in text(response)
    )
    assert not project.milestones.filter(title="Loin").exists()


def test_a_milestone_is_not_reached_before_the_project_began(project, client_for):
    milestone = Milestone.objects.create(project=project, title="Plants", due=datetime.date(2026, 1, 2))
    began = project.stage_changes.order_by("date").first().date
    before = (began - datetime.timedelta(days=1)).isoformat()
    response = client_for("coordination").post(
        url("milestone_done", project, milestone=milestone.pk), {"done_on": before}
    )
    assert "Un jalon ne peut pas être atteint avant le début du projet" in text(response)
    milestone.refresh_from_db()
    assert milestone.done_on is None


def test_a_reached_milestone_keeps_its_date(project, client_for):
    reached = TODAY() - datetime.timedelta(days=3)
    milestone = Milestone.objects.create(project=project, title="Plants", due=reached, done_on=reached)
    client = client_for("coordination")
    page = url("milestone_done", project, milestone=milestone.pk)
    response = client.post(page, {"done_on": TODAY().isoformat()}, follow=True)
    assert "Ce jalon est déjà atteint" in text(response)
    milestone.refresh_from_db()
    assert milestone.done_on == reached


# 4. A closed or abandoned project is read-only.


def _abandon(project, users) -> Project:
    return move_stage(project, Stage.ABANDONED, by=users["coordination"], note="Terrain refusé")


def test_an_abandoned_project_refuses_every_write_and_shows_no_form(project, users, client_for):
    budget_line = line(project, "5000.00")
    milestone = Milestone.objects.create(project=project, title="Plants", due=datetime.date(2025, 1, 2))
    organisation = Organisation.objects.create(slug="asso-test", name="Association Test", kind="association")
    partner = ProjectPartner.objects.create(project=project, organisation=organisation, role="Animation")
    _abandon(project, users)
    client = client_for("coordination")
    writes = [
        ("edit", {}, {"title": "Non"}),
        ("budget_line_add", {}, {"ligne-label": "Non"}),
        ("spending_add", {}, {"depense-line": budget_line.pk, "depense-amount": "1"}),
        ("milestone_add", {}, {"title": "Non"}),
        ("milestone_done", {"milestone": milestone.pk}, {}),
        ("partner_add", {}, {"new_name": "Non", "new_kind": "association", "role": "Non"}),
        ("partner_remove", {"partner": partner.pk}, {}),
        ("evaluation_new", {}, {"findings": "Non"}),
        ("stage", {}, {"stage": "cloture"}),
    ]
    for name, kwargs, data in writes:
        assert client.post(url(name, project, **kwargs), data).status_code == 404, name
    assert client.get(url("edit", project)).status_code == 404
    assert client.get(url("evaluation_new", project)).status_code == 404
    milestone.refresh_from_db()
    assert milestone.done_on is None and project.partners.count() == 1
    assert not Spending.objects.filter(line=budget_line).exists()
    assert not project.milestones.filter(title="Non").exists()
    assert not BudgetLine.objects.filter(label="Non").exists()
    assert not Organisation.objects.filter(name="Non").exists()
    pages = [client.get(url(name, project)) for name in ("detail", "budget", "evaluations")]
    for response in pages:
        assert response.status_code == 200
        for name in (
            "edit",
            "budget_line_add",
            "spending_add",
            "milestone_add",
            "partner_add",
            "evaluation_new",
        ):
            assert url(name, project) not in response.content.decode(), name
    assert "il se consulte, il ne se modifie plus" in text(pages[0])


def test_an_abandoned_projects_milestones_are_not_late(project, users, client_for):
    Milestone.objects.create(project=project, title="Plants", due=datetime.date(2025, 1, 2))
    client = client_for("coordination")
    assert 'class="late"' in client.get(url("detail", project)).content.decode()
    project = _abandon(project, users)
    assert 'class="late"' not in client.get(url("detail", project)).content.decode()
    assert not [m for m in project.milestones.all() if m.late(TODAY())]


def test_an_open_project_is_open_and_a_closed_one_is_not(project):
    assert project.is_open
    for stage in (Stage.CLOSED, Stage.ABANDONED):
        project.stage = stage
        assert not project.is_open


# 5. Partners not in the list.


def test_a_new_organisation_is_created_and_added(project, client_for):
    data = {"new_name": "  Coopérative féminine   de Toulaasri ", "new_kind": "cooperative", "role": "Vente"}
    response = client_for("coordination").post(url("partner_add", project), data)
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Coopérative féminine de Toulaasri")
    assert organisation.kind == "cooperative" and organisation.country == "MA" and organisation.slug
    assert project.partners.get(organisation=organisation).role == "Vente"


def test_a_known_name_reuses_the_organisation_whatever_its_case(project, client_for):
    known = Organisation.objects.create(
        slug="coop-imi", name="Coopérative Féminine d’Imi N’Tlit", kind="cooperative"
    )
    before = Organisation.objects.count()
    data = {"new_name": "coopérative féminine d’imi n’tlit", "new_kind": "association", "role": "Vente"}
    assert client_for("coordination").post(url("partner_add", project), data).status_code == 302
    assert Organisation.objects.count() == before
    assert project.partners.filter(organisation=known, role="Vente").exists()


@pytest.mark.parametrize(
    "data, error",
    [
        ({"new_name": "", "role": "Vente"}, "Choisissez une organisation de la liste, ou nommez la nouvelle"),
        (
            {"new_name": "Nouvelle", "new_kind": "", "role": "Vente"},
            "Indiquez le type de la nouvelle organisation.",
        ),
        (
            {"new_name": "Nouvelle", "new_kind": "association", "role": "Vente", "organisation": "CHOSEN"},
            "pas les deux",
        ),
    ],
)
def test_giving_both_or_neither_is_refused(project, client_for, data, error):
    organisation = Organisation.objects.create(slug="asso-test", name="Association Test", kind="association")
    # A partner of another project of the partnership is offered too.
    other = forum_projects({"partnership": project.partnership})[1]
    ProjectPartner.objects.create(project=other, organisation=organisation, role="Animation")
    if data.get("organisation") == "CHOSEN":
        data = {**data, "organisation": organisation.pk}
    before = Organisation.objects.count()
    response = client_for("coordination").post(url("partner_add", project), data)
    assert response.status_code == 200 and error in text(response)
    assert Organisation.objects.count() == before and not project.partners.filter(role="Vente").exists()


def test_partners_of_the_partnerships_other_projects_are_offered(project, world):
    from projects.forms import PartnerForm

    organisation = Organisation.objects.create(slug="asso-test", name="Association Test", kind="association")
    offered = PartnerForm(project=project).fields["organisation"].queryset
    assert organisation not in offered
    ProjectPartner.objects.create(
        project=forum_projects(world)[1], organisation=organisation, role="Animation"
    )
    assert organisation in PartnerForm(project=project).fields["organisation"].queryset
