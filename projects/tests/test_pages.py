"""The projects pages (issue 18, point 1): the list and a project for every reader, the forum's
migrated project among them; a new project (at the idea step, dated and signed), its edit with
optimistic locking and the activities that implement it (the partnership's only); milestones (late
ones said) and partners. Who may write: the coordination, a structure's staff for her structure's
project; the others get 404. Tables sit in a scrolling `.table-wrap` (360 px)."""

import datetime
import html

import lxml.html
import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from core.tests.test_locking import post_data
from partnerships.models import Membership, Organisation, Role
from partnerships.tests.factories import DouarFactory
from people.models import TargetGroup
from projects.actions import create_project
from projects.models import Milestone, Project, ProjectPartner, Stage, StageChange

from .matrix import CREATORS, READERS

TODAY = timezone.localdate


def forum_project(partnership) -> Project:
    return Project.objects.filter(partnership=partnership, proposal__forum__slug="forum-2024").earliest("pk")


def url(name, partnership, **kwargs) -> str:
    return reverse(f"projects:{name}", kwargs={"slug": partnership.slug, **kwargs})


def page_text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def day_centre(partnership):
    return partnership.structures.get(code="centre-jour")


@pytest.fixture
def own_project(partnership, day_centre, users):
    """A project of the day centre, at the idea step since a month."""
    return create_project(
        partnership,
        title="Atelier de cuisine",
        origin="partenaire",
        structure=day_centre,
        by=users["jour"],
        date=TODAY() - datetime.timedelta(days=30),
    )


@pytest.mark.parametrize("persona", READERS)
def test_readers_see_the_list_with_the_forums_project_and_its_page(persona, partnership, client_for):
    project = forum_project(partnership)
    assert project is not None and project.origin == Project.Origin.FORUM
    client = client_for(persona)
    listing = client.get(url("list", partnership))
    assert listing.status_code == 200
    assert project.title in page_text(listing)
    assert url("detail", partnership, pk=project.pk) in listing.content.decode()
    detail = client.get(url("detail", partnership, pk=project.pk))
    assert detail.status_code == 200
    assert project.title in page_text(detail)


def test_only_creators_are_offered_a_new_project(partnership, client_for):
    link = url("new", partnership)
    for persona in READERS:
        shown = link in client_for(persona).get(url("list", partnership)).content.decode()
        assert shown == (persona in CREATORS), persona


def test_tables_scroll_in_their_wrapper_on_a_phone(partnership, client_for):
    client = client_for("coordination")
    for page in (url("list", partnership), url("detail", partnership, pk=forum_project(partnership).pk)):
        tree = lxml.html.fromstring(client.get(page).content)
        tables = tree.xpath("//main//table") or tree.xpath("//table")
        assert tables, page
        for table in tables:
            assert table.xpath("ancestor::div[contains(@class, 'table-wrap')]"), page


def test_the_coordination_creates_a_project_at_the_idea_step_signed(partnership, users, client_for):
    group = TargetGroup.objects.first()
    douar = partnership.douars.first()
    result = partnership.results.get(code="R3")
    data = {
        "title": "Jardin partagé",
        "summary": "Un jardin pour les familles du douar.",
        "kind": "socio-environnemental",
        "origin": "consultation",
        "origin_note": "Réunion de quartier de mars",
        "results": [result.pk],
        "target_groups": [group.pk],
        "douars": [douar.pk],
        "starts": "2026-01-15",
        "ends": "2026-12-31",
        "progress": "10",
    }
    response = client_for("coordination").post(url("new", partnership), data)
    assert response.status_code == 302
    project = Project.objects.get(partnership=partnership, title="Jardin partagé")
    assert response["Location"] == url("detail", partnership, pk=project.pk)
    assert project.stage == Stage.IDEA and project.structure is None and project.progress == 10
    assert list(project.results.all()) == [result]
    assert list(project.target_groups.all()) == [group] and list(project.douars.all()) == [douar]
    (step,) = project.stage_changes.all()
    assert (step.stage, step.date, step.by, step.by_name) == (
        Stage.IDEA,
        TODAY(),
        users["coordination"],
        "coordination",
    )


def test_another_partnerships_douar_is_refused(partnership, world, client_for):
    other = world["other"]
    foreign = DouarFactory(partnership=other)
    before = Project.objects.count()
    response = client_for("coordination").post(
        url("new", partnership),
        {"title": "Intrus", "kind": "social", "origin": "commune", "progress": "0", "douars": [foreign.pk]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["douars"]
    assert Project.objects.count() == before


def test_a_structures_staff_creates_for_her_own_structure_only(partnership, day_centre, client_for):
    office = partnership.structures.get(kind="bureau-migrants")
    data = {"title": "Sortie au musée", "kind": "social", "origin": "partenaire", "progress": "0"}
    form = client_for("jour").get(url("new", partnership)).context["form"]
    assert "structure" not in form.fields  # her one structure: nothing to choose
    response = client_for("jour").post(url("new", partnership), {**data, "structure": office.pk})
    assert response.status_code == 302
    assert Project.objects.get(title="Sortie au musée").structure == day_centre  # not the office


def test_the_coordination_may_put_a_project_under_any_structure(partnership, day_centre, client_for):
    data = {"title": "Rampe d'accès", "kind": "social", "origin": "commune", "progress": "0"}
    response = client_for("coordination").post(url("new", partnership), {**data, "structure": day_centre.pk})
    assert response.status_code == 302
    assert Project.objects.get(title="Rampe d'accès").structure == day_centre


@pytest.mark.parametrize("persona", ["jette", "admin", "ecoute", "reseau", "autre_coordination"])
def test_who_may_not_create_gets_404(persona, partnership, client_for):
    client = client_for(persona)
    before = Project.objects.count()
    assert client.get(url("new", partnership)).status_code == 404
    data = {"title": "Non", "kind": "social", "origin": "commune", "progress": "0"}
    assert client.post(url("new", partnership), data).status_code == 404
    assert Project.objects.count() == before


def test_a_bad_progress_or_an_end_before_the_start_is_a_clear_error(partnership, client_for):
    data = {"title": "Bancal", "kind": "social", "origin": "commune", "progress": "140"}
    response = client_for("coordination").post(
        url("new", partnership), {**data, "starts": "2026-05-01", "ends": "2026-04-01"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "progress" in errors and "La fin prévue précède le début." in errors["ends"]
    assert not Project.objects.filter(title="Bancal").exists()


def edit_data(client, page) -> dict:
    return post_data(client.get(page).context["form"])


def test_editing_links_the_partnerships_activities(partnership, client_for):
    project = forum_project(partnership)
    page = url("edit", partnership, pk=project.pk)
    client = client_for("coordination")
    mine = list(Activity.objects.filter(partnership=partnership).order_by("pk")[:2])
    data = {**edit_data(client, page), "activities": [a.pk for a in mine], "title": "Terrain de sport"}
    assert client.post(page, data).status_code == 302
    project.refresh_from_db()
    assert project.title == "Terrain de sport"
    assert set(project.activities.all()) == set(mine)
    detail = page_text(client.get(url("detail", partnership, pk=project.pk)))
    assert mine[0].title in detail


def test_another_partnerships_activity_is_refused(partnership, world, client_for):
    project = forum_project(partnership)
    foreign = Activity.objects.create(
        partnership=world["other"], kind="atelier", title="Atelier d'ailleurs", date=datetime.date(2024, 5, 2)
    )
    linked = set(project.activities.all())
    page = url("edit", partnership, pk=project.pk)
    client = client_for("coordination")
    data = {**edit_data(client, page), "activities": [foreign.pk], "title": "Jamais"}
    response = client.post(page, data)
    assert response.status_code == 200
    assert response.context["form"].errors["activities"]
    project.refresh_from_db()
    assert project.title != "Jamais" and set(project.activities.all()) == linked


def test_a_stale_edit_is_refused_with_409_and_changes_nothing(partnership, client_for):
    project = forum_project(partnership)
    page = url("edit", partnership, pk=project.pk)
    first, second = client_for("coordination"), client_for("coordination")
    data_a, data_b = edit_data(first, page), edit_data(second, page)
    assert first.post(page, {**data_a, "progress": "70"}).status_code == 302
    stale = second.post(page, {**data_b, "progress": "20"})
    assert stale.status_code == 409
    assert "Quelqu'un d'autre a enregistré cette fiche" in page_text(stale)
    project.refresh_from_db()
    assert project.progress == 70


def test_a_step_made_since_the_page_was_read_makes_the_edit_stale(partnership, users, client_for):
    project = forum_project(partnership)
    page = url("edit", partnership, pk=project.pk)
    client = client_for("coordination")
    data = edit_data(client, page)
    from projects.actions import move_stage, record_evaluation

    # (Abandoning it would make it read-only: its edit is then a 404, test_review_fixes.py.)
    record_evaluation(project, date=TODAY(), findings="Bilan fait avec les jeunes.")
    move_stage(project, Stage.EVALUATED, by=users["coordination"])
    assert client.post(page, {**data, "title": "Après coup"}).status_code == 409


def test_structure_staff_edit_their_structures_project_only(partnership, own_project, client_for):
    jour = client_for("jour")
    assert jour.get(url("edit", partnership, pk=own_project.pk)).status_code == 200
    assert jour.get(url("edit", partnership, pk=forum_project(partnership).pk)).status_code == 404
    assert client_for("accueil").get(url("edit", partnership, pk=own_project.pk)).status_code == 404


@pytest.mark.parametrize("persona", ["jette", "admin"])
def test_readers_who_do_not_manage_get_404_on_every_write(persona, partnership, client_for):
    project = forum_project(partnership)
    client = client_for(persona)
    milestone = project.milestones.first()
    title = project.title
    assert client.get(url("edit", partnership, pk=project.pk)).status_code == 404
    writes = [
        (url("edit", partnership, pk=project.pk), {"title": "Non"}),
        (url("stage", partnership, pk=project.pk), {"stage": "abandonne", "date": TODAY(), "note": "x"}),
        (url("milestone_add", partnership, pk=project.pk), {"title": "Non"}),
        (url("milestone_done", partnership, pk=project.pk, milestone=milestone.pk), {}),
        (url("partner_add", partnership, pk=project.pk), {"role": "Non"}),
    ]
    for page, data in writes:
        assert client.post(page, data).status_code == 404, page
    project.refresh_from_db()
    assert project.title == title and project.stage == Stage.IN_PROGRESS
    assert not project.milestones.filter(title="Non").exists()
    detail = client.get(url("detail", partnership, pk=project.pk)).content.decode()
    assert url("stage", partnership, pk=project.pk) not in detail  # no form offered


def test_late_milestones_are_said_and_a_milestone_is_marked_done(partnership, client_for):
    project = forum_project(partnership)
    late = [m for m in project.milestones.all() if m.late(TODAY())]
    client = client_for("coordination")
    detail = page_text(client.get(url("detail", partnership, pk=project.pk)))
    if not late:  # the first demo project reached all of its milestones: make one late
        late = [Milestone.objects.create(project=project, title="Réception", due=datetime.date(2025, 1, 2))]
        detail = page_text(client.get(url("detail", partnership, pk=project.pk)))
    assert "en retard" in detail and 'class="late"' in detail
    milestone = late[0]
    page = url("milestone_done", partnership, pk=project.pk, milestone=milestone.pk)
    assert client.post(page, {}).status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_on == TODAY() and not milestone.late(TODAY())


def test_a_milestone_is_added_and_done_on_a_given_day_never_in_the_future(
    partnership, own_project, client_for
):
    client = client_for("jour")
    add = url("milestone_add", partnership, pk=own_project.pk)
    assert client.post(add, {"title": "Achat des ustensiles", "due": "2026-03-01"}).status_code == 302
    milestone = own_project.milestones.get(title="Achat des ustensiles")
    assert milestone.due == datetime.date(2026, 3, 1) and milestone.done_on is None
    refused = client.post(add, {"title": "", "due": "pas une date"})
    assert refused.status_code == 200 and refused.context["milestone_form"].errors
    done = url("milestone_done", partnership, pk=own_project.pk, milestone=milestone.pk)
    future = (TODAY() + datetime.timedelta(days=2)).isoformat()
    response = client.post(done, {"done_on": future})
    assert response.status_code == 200
    assert "La date ne peut pas être dans le futur." in page_text(response)
    milestone.refresh_from_db()
    assert milestone.done_on is None
    reached = TODAY() - datetime.timedelta(days=10)  # after the project's idea step (30 days ago)
    assert client.post(done, {"done_on": reached.isoformat()}).status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_on == reached


def test_another_projects_milestone_is_not_found(partnership, own_project, client_for):
    other_milestone = forum_project(partnership).milestones.first()
    page = url("milestone_done", partnership, pk=own_project.pk, milestone=other_milestone.pk)
    assert client_for("jour").post(page, {}).status_code == 404
    other_milestone.refresh_from_db()
    assert other_milestone.done_on is None or other_milestone.done_on <= TODAY()


def test_partners_are_added_once_with_their_role_and_removed(partnership, client_for):
    project = forum_project(partnership)
    commune = partnership.communes.first()
    client = client_for("coordination")
    add = url("partner_add", partnership, pk=project.pk)
    assert client.post(add, {"organisation": commune.pk, "role": "Maître d'ouvrage"}).status_code == 302
    partner = ProjectPartner.objects.get(project=project, organisation=commune)
    assert partner.role == "Maître d'ouvrage"
    assert "Maître d'ouvrage" in page_text(client.get(url("detail", partnership, pk=project.pk)))
    twice = client.post(add, {"organisation": commune.pk, "role": "Encore"})
    assert twice.status_code == 200 and twice.context["partner_form"].errors["organisation"]
    stranger = Organisation.objects.create(slug="inconnue", name="Association inconnue", kind="association")
    refused = client.post(add, {"organisation": stranger.pk, "role": "Intruse"})
    assert refused.status_code == 200
    assert ProjectPartner.objects.filter(project=project).count() == 1
    remove = url("partner_remove", partnership, pk=project.pk, partner=partner.pk)
    assert client.post(remove).status_code == 302
    assert not ProjectPartner.objects.filter(project=project).exists()
    assert client.post(remove).status_code == 404


def test_history_and_missing_steps_are_shown(partnership, own_project, client_for):
    detail = page_text(client_for("centre").get(url("detail", partnership, pk=own_project.pk)))
    step = StageChange.objects.get(project=own_project)
    assert step.get_stage_display() in detail and "par jour" in detail
    assert "Pour passer à « formulé », il manque :" in detail
    assert "une description" in detail and "au moins un résultat servi" in detail


def test_staff_of_two_structures_chooses_one_of_hers(partnership, day_centre, users, client_for):
    office = partnership.structures.get(kind="bureau-migrants")
    centre = partnership.structures.get(kind="centre-ecoute")
    Membership.objects.create(
        user=users["jour"], role=Role.OFFICE_AGENT, partnership=partnership, structure=office
    )
    client = client_for("jour")
    form = client.get(url("new", partnership)).context["form"]
    assert set(form.fields["structure"].queryset) == {day_centre, office}
    data = {"title": "Cours de darija", "kind": "social", "origin": "partenaire", "progress": "0"}
    for refused in ("", str(centre.pk)):
        response = client.post(url("new", partnership), {**data, "structure": refused})
        assert response.status_code == 200 and response.context["form"].errors["structure"]
    assert not Project.objects.filter(title="Cours de darija").exists()
    assert client.post(url("new", partnership), {**data, "structure": office.pk}).status_code == 302
    assert Project.objects.get(title="Cours de darija").structure == office


def test_a_listening_centre_project_says_no_douar_from_any_form(world, client_for, partnership):
    """docs/security.md 9: where the centre works is never told finer than the commune."""
    from projects.forms import ProjectForm

    centre = partnership.structures.get(kind="centre-ecoute")
    douar = partnership.douars.first()
    data = {"title": "Écoute mobile", "kind": "social", "origin": "commune", "progress": "0"}
    form = ProjectForm(
        {**data, "structure": centre.pk, "douars": [douar.pk]},
        partnership=partnership,
        structures=partnership.structures.all(),
    )
    assert not form.is_valid() and "douars" in form.errors
    # The centre's coordinator, whose one structure is the centre, is not even asked.
    page = client_for("centre").get(reverse("projects:new", kwargs={"slug": partnership.slug}))
    assert page.status_code == 200 and 'name="douars"' not in page.content.decode()
    response = client_for("centre").post(
        reverse("projects:new", kwargs={"slug": partnership.slug}), {**data, "douars": [douar.pk]}
    )
    assert response.status_code == 302
    assert not Project.objects.get(title="Écoute mobile").douars.exists()
