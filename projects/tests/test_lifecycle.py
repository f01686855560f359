"""The life cycle of a project (issue 18): one step at a time, or abandoning it with a reason; a date
neither before the previous step nor in the future; what each step needs (formulated: a description
and a result; planned: a milestone; evaluated: an evaluation). Each refusal, on the page, is a clear
message and changes nothing. Who may: the coordination, a structure's staff for her structure's
project; the others get 404. And the data migration that made each forum's followed project a
project (participation 0007)."""

import datetime
import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.tests.scratch_db import migrating, scratch_database
from projects.actions import create_project, missing_for, move_stage, next_stages, record_evaluation
from projects.models import Milestone, Stage, StageChange

TODAY = timezone.localdate
MONTH_AGO = TODAY() - datetime.timedelta(days=30)


@pytest.fixture
def project(partnership, users):
    """A partnership project (no structure), at the idea step since a month."""
    return create_project(
        partnership, title="Maison de quartier", origin="commune", by=users["coordination"], date=MONTH_AGO
    )


@pytest.fixture
def own_project(partnership, users):
    """A project of the day centre, at the idea step since a month."""
    return create_project(
        partnership,
        title="Atelier de cuisine",
        origin="partenaire",
        structure=partnership.structures.get(code="centre-jour"),
        by=users["jour"],
        date=MONTH_AGO,
    )


def ready_to_formulate(project):
    project.summary = "Un lieu pour les associations du quartier."
    project.save(update_fields=["summary"])
    project.results.add(project.partnership.results.get(code="R3"))


def stage_url(project) -> str:
    return reverse("projects:stage", kwargs={"slug": project.partnership.slug, "pk": project.pk})


def post_stage(client, project, stage, date=None, note=""):
    return client.post(
        stage_url(project), {"stage": stage, "date": (date or TODAY()).isoformat(), "note": note}
    )


def steps(project) -> list[str]:
    return list(StageChange.objects.filter(project=project).values_list("stage", flat=True))


# The rules, through the action.


def test_only_the_next_step_or_abandoning_is_offered(project):
    assert next_stages(project) == [Stage.FORMULATED, Stage.ABANDONED]
    for stage in (Stage.PLANNED, Stage.IN_PROGRESS, Stage.EVALUATED, Stage.CLOSED, Stage.IDEA):
        with pytest.raises(ValidationError, match="il ne peut pas passer"):
            move_stage(project, stage, by=None)
    project.refresh_from_db()
    assert project.stage == Stage.IDEA and steps(project) == [Stage.IDEA]


def test_formulated_needs_a_description_and_a_result(project, coordination):
    assert [str(m) for m in missing_for(project, Stage.FORMULATED)] == [
        "une description",
        "au moins un résultat servi",
    ]
    with pytest.raises(ValidationError, match="il manque : une description, au moins un résultat servi"):
        move_stage(project, Stage.FORMULATED, by=coordination)
    project.summary = "Un lieu pour les associations du quartier."
    project.save(update_fields=["summary"])
    with pytest.raises(ValidationError, match="au moins un résultat servi"):
        move_stage(project, Stage.FORMULATED, by=coordination)
    project.results.add(project.partnership.results.get(code="R3"))
    moved = move_stage(project, Stage.FORMULATED, by=coordination)
    assert moved.stage == Stage.FORMULATED


def test_planned_needs_a_milestone(project, coordination):
    ready_to_formulate(project)
    project = move_stage(project, Stage.FORMULATED, by=coordination)
    with pytest.raises(ValidationError, match="au moins un jalon"):
        move_stage(project, Stage.PLANNED, by=coordination)
    Milestone.objects.create(project=project, title="Convention signée", due=TODAY())
    assert move_stage(project, Stage.PLANNED, by=coordination).stage == Stage.PLANNED


def test_evaluated_needs_an_evaluation_then_closing_ends_the_cycle(project, coordination):
    ready_to_formulate(project)
    Milestone.objects.create(project=project, title="Convention signée", due=TODAY())
    for stage in (Stage.FORMULATED, Stage.PLANNED, Stage.IN_PROGRESS):
        project = move_stage(project, stage, by=coordination)
    with pytest.raises(ValidationError, match="une évaluation"):
        move_stage(project, Stage.EVALUATED, by=coordination)
    record_evaluation(project, date=TODAY(), findings="Le lieu est utilisé chaque semaine.", by=coordination)
    project = move_stage(project, Stage.EVALUATED, by=coordination)
    project = move_stage(project, Stage.CLOSED, by=coordination)
    assert next_stages(project) == []
    with pytest.raises(ValidationError):
        move_stage(project, Stage.ABANDONED, by=coordination, note="Trop tard")
    assert steps(project) == [
        Stage.IDEA,
        Stage.FORMULATED,
        Stage.PLANNED,
        Stage.IN_PROGRESS,
        Stage.EVALUATED,
        Stage.CLOSED,
    ]


def test_abandoning_needs_a_reason(project, coordination):
    with pytest.raises(ValidationError, match="Dites pourquoi"):
        move_stage(project, Stage.ABANDONED, by=coordination, note="   ")
    project = move_stage(project, Stage.ABANDONED, by=coordination, note="Le terrain n'est plus disponible.")
    assert project.stage == Stage.ABANDONED and next_stages(project) == []
    assert StageChange.objects.get(project=project, stage=Stage.ABANDONED).note.startswith("Le terrain")


def test_the_date_is_neither_before_the_previous_step_nor_in_the_future(project, coordination):
    with pytest.raises(ValidationError, match="précéder celle de l'étape précédente"):
        move_stage(
            project, Stage.ABANDONED, by=coordination, note="x", date=MONTH_AGO - datetime.timedelta(1)
        )
    with pytest.raises(ValidationError, match="dans le futur"):
        move_stage(project, Stage.ABANDONED, by=coordination, note="x", date=TODAY() + datetime.timedelta(1))
    project.refresh_from_db()
    assert project.stage == Stage.IDEA
    # The same day as the previous step is fine.
    assert (
        move_stage(project, Stage.ABANDONED, by=coordination, note="x", date=MONTH_AGO).stage == "abandonne"
    )


# The page: each refusal a clear message, nothing changed; who may.


@pytest.mark.parametrize(
    ("stage", "date", "note", "message"),
    [
        ("planifie", None, "", "Sélectionnez un choix valide"),  # not offered: one step at a time
        ("abandonne", None, "", "Dites pourquoi le projet est abandonné."),
        ("formule", None, "", "il manque : une description, au moins un résultat servi"),
        ("abandonne", MONTH_AGO - datetime.timedelta(days=1), "x", "ne peut pas précéder"),
        ("abandonne", TODAY() + datetime.timedelta(days=1), "x", "ne peut pas être dans le futur"),
    ],
)
def test_a_refused_step_on_the_page_is_a_clear_message_and_changes_nothing(
    stage, date, note, message, project, client_for
):
    version = project.version
    response = post_stage(client_for("coordination"), project, stage, date, note)
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert 'role="alert"' in response.content.decode() or response.context["stage_form"].errors
    project.refresh_from_db()
    assert (project.stage, project.version, steps(project)) == (Stage.IDEA, version, [Stage.IDEA])


def test_a_step_on_the_page_is_dated_signed_and_shown(project, users, client_for):
    ready_to_formulate(project)
    client = client_for("coordination")
    day = TODAY() - datetime.timedelta(days=2)
    response = post_stage(client, project, "formule", day, "Validé en comité")
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.FORMULATED
    step = project.stage_changes.get(stage=Stage.FORMULATED)
    assert (step.date, step.by, step.note) == (day, users["coordination"], "Validé en comité")
    detail = html.unescape(client.get(response["Location"]).content.decode())
    assert "Validé en comité" in detail and "par coordination" in detail
    assert "Pour passer à « planifié », il manque : au moins un jalon." in detail


def test_structure_staff_move_their_structures_project_only(own_project, project, client_for):
    jour = client_for("jour")
    assert post_stage(jour, own_project, "abandonne", note="Plus de cuisinière").status_code == 302
    own_project.refresh_from_db()
    assert own_project.stage == Stage.ABANDONED
    assert post_stage(jour, project, "abandonne", note="Pas le sien").status_code == 404
    project.refresh_from_db()
    assert project.stage == Stage.IDEA


@pytest.mark.parametrize(
    "persona", ["jette", "admin", "accueil", "centre", "ecoute", "reseau", "autre_coordination"]
)
def test_who_does_not_manage_gets_404_and_changes_nothing(persona, own_project, client_for):
    response = post_stage(client_for(persona), own_project, "abandonne", note="Non")
    assert response.status_code == 404
    own_project.refresh_from_db()
    assert own_project.stage == Stage.IDEA and steps(own_project) == [Stage.IDEA]


def test_the_stage_page_takes_posts_only(project, client_for):
    assert client_for("coordination").get(stage_url(project)).status_code == 405


def test_who_manages_sees_the_form_readers_do_not(project, client_for):
    detail = reverse("projects:detail", kwargs={"slug": project.partnership.slug, "pk": project.pk})
    assert stage_url(project) in client_for("coordination").get(detail).content.decode()
    for persona in ("jette", "admin", "jour"):
        page = client_for(persona).get(detail)
        assert page.status_code == 200 and stage_url(project) not in page.content.decode(), persona


# The data migration: a followed project of a forum becomes a project.

BEFORE = [
    ("participation", "0006_proposal_followed_as_a_project"),
    ("portal", "0002_good_practice_version_for_optimistic_locking"),
]


def followed_project(apps):
    """A forum, a winning proposal and its followed project (in progress, 60 %), with a milestone
    reached and one not, in the models of `apps` (the history before participation 0007)."""
    Partnership = apps.get_model("partnerships", "Partnership")
    network = apps.get_model("partnerships", "Network").objects.create(slug="reseau", name="Réseau")
    fields = {
        "network": network,
        "slug": "belfaa",
        "name": "Belfaa–Jette",
        "start_year": 2022,
        "end_year": 2026,
    }
    if "code_prefix" in {f.name for f in Partnership._meta.get_fields()}:
        fields["code_prefix"] = "BLF"
    partnership = Partnership.objects.create(**fields)
    result = apps.get_model("programme", "Result").objects.create(
        partnership=partnership, code="R3", level="result", name="Jeunes"
    )
    forum = apps.get_model("participation", "Forum").objects.create(
        partnership=partnership,
        slug="forum-2024",
        title="Forum des jeunes 2024",
        date=datetime.date(2024, 5, 4),
        place="Belfaa",
        phase="suivi",
    )
    proposal = apps.get_model("participation", "Proposal").objects.create(
        forum=forum,
        number=1,
        title="Terrain de sport",
        description="Un terrain pour le douar.",
        category="sport",
        estimated_cost=40000,
        sex="F",
        age_band="18-24",
        status="recevable",
        decision_reason="Conforme au règlement",
    )
    old = apps.get_model("participation", "FollowedProject").objects.create(
        proposal=proposal, result=result, status="en-cours", progress=60
    )
    Milestone = apps.get_model("participation", "Milestone")
    Milestone.objects.create(project=old, title="Devis", due=datetime.date(2024, 9, 1), done=True)
    Milestone.objects.create(project=old, title="Travaux", due=datetime.date(2024, 12, 1), done=False)
    return partnership, result, proposal, old


def test_the_migration_makes_each_followed_project_a_project(tmp_path, django_db_blocker):
    with django_db_blocker.unblock(), scratch_database(tmp_path) as path:
        with migrating(path) as executor:
            executor.migrate(BEFORE)
            executor.loader.build_graph()
            apps = executor.loader.project_state(BEFORE).apps
            partnership, result, proposal, old = followed_project(apps)
            day = old.updated_at.date()
            reached_on = old.milestones.get(title="Devis").updated_at.date()

        with migrating(path) as executor:
            executor.migrate(executor.loader.graph.leaf_nodes())
            executor.loader.build_graph()
            apps = executor.loader.project_state().apps
            (project,) = apps.get_model("projects", "Project").objects.all()
            assert (project.partnership_id, project.title, project.summary) == (
                partnership.pk,
                "Terrain de sport",
                "Un terrain pour le douar.",
            )
            assert (project.origin, project.origin_note, project.stage, project.progress) == (
                "forum",
                "Forum des jeunes 2024",
                "en-cours",
                60,
            )
            assert list(project.results.values_list("pk", flat=True)) == [result.pk]
            (step,) = apps.get_model("projects", "StageChange").objects.filter(project=project)
            assert (step.stage, step.date) == ("en-cours", day)
            milestones = (
                apps.get_model("projects", "Milestone").objects.filter(project=project).order_by("pk")
            )
            assert [(m.title, m.due, m.done_on) for m in milestones] == [
                ("Devis", datetime.date(2024, 9, 1), reached_on),
                ("Travaux", datetime.date(2024, 12, 1), None),
            ]
            moved = apps.get_model("participation", "Proposal").objects.get(pk=proposal.pk)
            assert moved.project_id == project.pk
