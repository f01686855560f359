"""Participatory evaluations: recorded by a project's managers with who took part, listed for readers."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from people.models import TargetGroup
from projects.models import Evaluation, EvaluationTally, Project

pytestmark = pytest.mark.django_db


def _project(world):
    return Project.objects.filter(partnership=world["partnership"], proposal__isnull=False).first()


def _urls(world):
    project = _project(world)
    kwargs = {"slug": world["partnership"].slug, "pk": project.pk}
    return (
        project,
        reverse("projects:evaluation_new", kwargs=kwargs),
        reverse("projects:evaluations", kwargs=kwargs),
    )


def test_an_evaluation_is_recorded_with_its_participants_by_group_and_sex(world, client_for):
    project, new, listing = _urls(world)
    women, youth = TargetGroup.objects.all()[:2]
    response = client_for("coordination").post(
        new,
        {
            "date": "2026-03-14",
            "findings": "Le terrain est trop petit.",
            "lessons": "Consulter les filles plus tôt.",
            "follow_up": "Agrandir en 2027.",
            f"n-{women.code}-F": "12",
            f"n-{women.code}-M": "0",
            f"n-{youth.code}-M": "7",
        },
    )
    assert response.status_code == 302
    evaluation = Evaluation.objects.get(project=project)
    assert evaluation.findings == "Le terrain est trop petit."
    assert evaluation.follow_up == "Agrandir en 2027."
    assert evaluation.recorded_by == world["users"]["coordination"]
    tallies = {(t.target_group.code, t.sex): t.count for t in evaluation.tallies.all()}
    assert tallies == {(women.code, "F"): 12, (youth.code, "M"): 7}
    page = client_for("jette").get(listing).content.decode()
    assert "Le terrain est trop petit." in page
    assert "Consulter les filles plus tôt." in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"n-GROUP-F": "-3"}, "ne peut pas être négatif"),
        ({"n-GROUP-F": "douze"}, "Tapez un nombre entier"),
        ({}, "au moins un nombre"),
        ({"n-GROUP-F": "4", "findings": ""}, "obligatoire"),
        ({"n-GROUP-F": "4", "date": "2999-01-01"}, "dans le futur"),
        ({"n-GROUP-F": "4", "date": "0001-01-01"}, "idée du projet (20/04/2024)"),
        ({"n-GROUP-F": "4", "date": "2024-04-19"}, "idée du projet (20/04/2024)"),
        ({"n-GROUP-F": "4", "findings": "x" * 5001}, "5001 caractères pour 5000 au plus"),
        ({"n-GROUP-F": "4", "lessons": "x" * 2_000_000}, "trop long"),
        ({"n-GROUP-F": "4", "follow_up": "x" * 5001}, "trop long"),
    ],
)
def test_bad_input_is_refused_in_french_and_nothing_is_written(world, client_for, data, message):
    _project_, new, _listing = _urls(world)
    code = TargetGroup.objects.first().code
    posted = {"date": "2026-03-14", "findings": "Constat."}
    posted.update({key.replace("GROUP", code): value for key, value in data.items()})
    response = client_for("coordination").post(new, posted)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Evaluation.objects.filter(project=_project_).exists()
    assert not EvaluationTally.objects.filter(evaluation__project=_project_).exists()


@pytest.mark.parametrize("persona", ["centre", "accueil", "jour", "jette", "admin", "reseau", "ecoute"])
def test_only_its_managers_evaluate_a_project(world, client_for, persona):
    _project_, new, _listing = _urls(world)
    code = TargetGroup.objects.first().code
    response = client_for(persona).post(new, {"date": "2026-03-14", "findings": "x", f"n-{code}-F": "3"})
    assert response.status_code == 404
    assert not Evaluation.objects.filter(project=_project_).exists()


def test_an_evaluation_lets_the_project_move_to_evaluated(world, client_for):
    from projects.actions import missing_for
    from projects.models import Stage

    project, new, _listing = _urls(world)
    assert missing_for(project, Stage.EVALUATED)
    code = TargetGroup.objects.first().code
    day = timezone.localdate() - datetime.timedelta(days=1)
    client_for("coordination").post(new, {"date": day.isoformat(), "findings": "x", f"n-{code}-F": "3"})
    assert missing_for(project, Stage.EVALUATED) == []


def test_outside_the_partnership_s_staff_small_counts_of_participants_are_hidden(world, client_for):
    from projects.actions import record_evaluation

    project, _new, listing = _urls(world)
    women, youth = TargetGroup.objects.all()[:2]
    record_evaluation(
        project,
        date=datetime.date(2026, 3, 1),
        findings="Constat.",
        tallies=[(women, "F", 12), (women, "M", 3), (youth, "F", 8), (youth, "M", 9)],
    )
    inside = client_for("coordination").get(listing).content.decode()
    assert '<td class="num">3</td>' in inside and '<td class="num">32</td>' in inside
    outside = client_for("jette").get(listing).content.decode()
    assert '<td class="num">3</td>' not in outside
    assert "&lt; 5" in outside and "×" in outside  # the 3 and what would give it away


def _post(world, client_for, **data):
    code = TargetGroup.objects.first().code
    project, new, _listing = _urls(world)
    posted = {"date": "2026-03-14", "findings": "Le terrain est trop petit.", f"n-{code}-F": "4"}
    posted.update(data)
    return client_for("coordination").post(new, posted)


def test_an_evaluation_may_be_dated_on_the_day_of_the_project_s_idea(world, client_for):
    assert _post(world, client_for, date="2024-04-20").status_code == 302
    assert Evaluation.objects.filter(project=_project(world), date=datetime.date(2024, 4, 20)).exists()


def test_the_action_itself_refuses_a_date_before_the_idea_or_in_the_future(world):
    from django.core.exceptions import ValidationError

    from projects.actions import record_evaluation

    project = _project(world)
    for day in (datetime.date(1, 1, 1), timezone.localdate() + datetime.timedelta(days=1)):
        with pytest.raises(ValidationError):
            record_evaluation(project, date=day, findings="Constat.")
    assert not Evaluation.objects.filter(project=project).exists()


def test_an_evaluation_submitted_twice_is_recorded_once(world, client_for):
    first = _post(world, client_for)
    second = _post(world, client_for, findings="  Le terrain est trop petit.  ")
    assert first.status_code == 302
    assert second.status_code == 200
    assert "Cette évaluation est déjà enregistrée." in second.content.decode()
    assert Evaluation.objects.filter(project=_project(world)).count() == 1
    assert EvaluationTally.objects.filter(evaluation__project=_project(world)).count() == 1


def test_the_same_findings_on_another_day_or_other_findings_the_same_day_are_recorded(world, client_for):
    from django.core.exceptions import ValidationError

    from projects.actions import record_evaluation

    project = _project(world)
    record_evaluation(project, date=datetime.date(2026, 3, 14), findings="Constat.\n")
    with pytest.raises(ValidationError, match="déjà enregistrée"):
        record_evaluation(project, date=datetime.date(2026, 3, 14), findings=" Constat. ")
    record_evaluation(project, date=datetime.date(2026, 3, 15), findings="Constat.")
    record_evaluation(project, date=datetime.date(2026, 3, 14), findings="Autre constat.")
    assert Evaluation.objects.filter(project=project).count() == 3


def test_long_texts_are_capped_in_the_page_and_shown_with_their_line_breaks(world, client_for):
    project, new, listing = _urls(world)
    page = client_for("coordination").get(new).content.decode()
    assert page.count('maxlength="5000"') == 3
    findings = "Premier constat.\nSecond constat." + "x" * (5000 - 32)
    assert len(findings) == 5000
    assert _post(world, client_for, findings=findings).status_code == 302
    shown = client_for("coordination").get(listing).content.decode()
    assert "Premier constat.<br>Second constat." in shown
