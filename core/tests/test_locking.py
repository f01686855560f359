"""Optimistic locking of every edit form (docs/security.md 21, core/locking.py).

For each editable object: two people open the edit page; the second save, made from the page read
before the first save, is refused (409) with a clear message; nothing of the first is overwritten;
what she typed stays in the form, beside what the other person saved; saving again then overwrites
knowingly. Then a race: two connections save the same activity at the same instant — exactly one is
accepted. The case file's edit is tested in cases/tests/test_workflow.py (nothing outside `cases`
imports its models).
"""

import datetime
import html
import threading
import time

import pytest
from django import forms
from django.db import OperationalError, connection, models
from django.urls import reverse

from activities.actions import update_activity
from activities.forms import ActivityForm
from activities.models import Activity
from core.locking import Stale
from people.models import Person
from portal.models import GoodPractice
from programme.models import Indicator
from projects.forms import ProjectForm
from projects.models import Project
from reports.models import Narrative

YEAR = 2024


def post_data(form) -> dict:
    """What the browser posts for an unchanged edit page."""
    data: dict[str, str | list[str]] = {}
    for bound in form:
        value = bound.value()
        if isinstance(bound.field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            data[bound.html_name] = [str(getattr(v, "pk", v)) for v in value or []]
        elif isinstance(bound.field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
        elif value is None:
            data[bound.html_name] = ""
        elif isinstance(value, models.Model):
            data[bound.html_name] = str(value.pk)
        elif isinstance(value, datetime.date):
            data[bound.html_name] = value.isoformat()
        else:
            data[bound.html_name] = str(value)
    return data


def _activity(world):
    activity = Activity.objects.filter(partnership=world["partnership"], date__year=YEAR).first()
    return reverse("activities:edit", args=[world["partnership"].slug, activity.pk]), "title", activity


def _person(world):
    person = Person.objects.filter(partnership=world["partnership"], structure__code="centre-jour").first()
    return reverse("people:edit", args=[world["partnership"].slug, person.pk]), "first_name", person


def _practice(world):
    practice = GoodPractice.objects.filter(partnership=world["partnership"]).first()
    return reverse("practices:edit", args=[world["partnership"].slug, practice.pk]), "title", practice


def _indicator(world):
    indicator = Indicator.objects.get(result__partnership=world["partnership"], code="R2.1")
    return (
        reverse("indicators:indicator_edit", args=[world["partnership"].slug, indicator.code]),
        "name",
        indicator,
    )


def _narrative(world):
    partnership = world["partnership"]
    result = partnership.results.get(code="R1")
    narrative = Narrative.objects.create(partnership=partnership, result=result, year=YEAR, text="Début")
    return reverse("reports:narrative", args=[partnership.slug, YEAR, "R1"]), "text", narrative


def _project(world):
    project = Project.objects.filter(partnership=world["partnership"], proposal__isnull=False).first()
    return reverse("projects:edit", args=[world["partnership"].slug, project.pk]), "title", project


def _proposal(world):
    from participation.actions import decide_admissibility
    from participation.models import Forum, Phase

    forum = Forum.objects.filter(partnership=world["partnership"], proposals__isnull=False).first()
    forum.phase = Phase.REVIEW
    forum.save(update_fields=["phase"])
    proposal = forum.proposals.first()
    decide_admissibility(proposal, world["users"]["coordination"], admissible=True, reason="Premier motif")
    url = reverse(
        "participation:proposal_decide", args=[world["partnership"].slug, forum.pk, proposal.number]
    )
    return url, "reason", proposal, "decision_reason"  # the form's field, then the model's


EDITS = {  # object → (persona who edits it, how to find it, a value each person types)
    "activity": ("coordination", _activity, "Titre de Bouchra", "Titre d'Amina"),
    "person": ("jour", _person, "Prénom de Bouchra", "Prénom d'Amina"),
    "practice": ("coordination", _practice, "Pratique de Bouchra", "Pratique d'Amina"),
    "indicator": ("coordination", _indicator, "Intitulé de Bouchra", "Intitulé d'Amina"),
    "narrative": ("coordination", _narrative, "Récit de Bouchra", "Récit d'Amina"),
    "proposal": ("coordination", _proposal, "Motif de Bouchra", "Motif d'Amina"),
    "project": ("coordination", _project, "Projet de Bouchra", "Projet d'Amina"),
}


@pytest.mark.parametrize("kind", EDITS)
def test_a_stale_save_is_refused_shows_both_versions_and_loses_nothing(kind, world, client_for):
    persona, find, theirs, mine = EDITS[kind]
    url, field, obj, *model_field = find(world)
    attr = model_field[0] if model_field else field
    amina, bouchra = client_for(persona), client_for(persona)
    page_a, page_b = amina.get(url), bouchra.get(url)
    assert page_a.status_code == page_b.status_code == 200
    data_a, data_b = post_data(page_a.context["form"]), post_data(page_b.context["form"])
    assert data_a["version"] == data_b["version"]

    assert bouchra.post(url, {**data_b, field: theirs}).status_code == 302
    stale = amina.post(url, {**data_a, field: mine})

    assert stale.status_code == 409
    page = html.unescape(stale.content.decode())
    assert "Quelqu'un d'autre a enregistré cette fiche depuis que vous l'avez ouverte" in page
    assert theirs in page  # the other person's change, shown
    form = stale.context["form"]
    assert form[field].value() == mine  # what she typed, kept in the form
    assert [row[1:] for row in form.conflicts if mine in row] == [(theirs, mine)]
    obj.refresh_from_db()
    assert str(getattr(obj, attr)) == theirs  # nothing overwritten

    # Saving the kept form again is a deliberate overwrite, made from the current version.
    assert amina.post(url, {**form.data.dict(), field: mine}).status_code == 302
    obj.refresh_from_db()
    assert str(getattr(obj, attr)) == mine


@pytest.mark.parametrize("version", ["", "abc", "-1", str(10**30)])
def test_a_missing_or_tampered_version_is_a_clear_error(version, world, client_for):
    url, field, activity = _activity(world)
    client = client_for("coordination")
    data = post_data(client.get(url).context["form"])
    response = client.post(url, {**data, "version": version, field: "Jamais enregistré"})
    assert response.status_code == 200
    assert response.context["form"].errors
    activity.refresh_from_db()
    assert activity.title != "Jamais enregistré"


def test_every_edit_form_is_versioned():
    """Each model edited through a form carries the version field the lock needs."""
    from core.locking import Versioned

    for form_class in [ActivityForm, ProjectForm]:
        assert issubclass(form_class, Versioned)
    for model in [Activity, Person, GoodPractice, Indicator, Narrative, Project]:
        assert isinstance(model._meta.get_field("version"), models.PositiveIntegerField)


@pytest.fixture
def committed_activity(django_db_setup, django_db_blocker):
    """A demo activity, in autocommit so that two threads (two connections) see it; put back after."""
    with django_db_blocker.unblock():
        activity = Activity.objects.filter(date__year=YEAR).order_by("pk").first()
        try:
            yield activity
        finally:
            Activity.objects.filter(pk=activity.pk).update(title=activity.title, version=activity.version)
        connection.close()


def test_two_simultaneous_saves_of_an_activity_exactly_one_is_accepted(committed_activity):
    """Both forms are read and validated at the same version, then both save at once: the
    conditional UPDATE lets exactly one through, on SQLite and on PostgreSQL, in every round."""
    activity = committed_activity
    for round_ in range(4):
        barrier, outcome = threading.Barrier(2), {}

        def save(title, activity=activity, barrier=barrier, outcome=outcome):
            try:
                fresh = Activity.objects.get(pk=activity.pk)
                partnership = fresh.partnership
                data = post_data(
                    ActivityForm(
                        instance=fresh, partnership=partnership, structures=partnership.structures.all()
                    )
                )
                form = ActivityForm(
                    {**data, "title": title},
                    instance=fresh,
                    partnership=partnership,
                    structures=partnership.structures.all(),
                )
                assert form.is_valid(), form.errors
                partners = list(fresh.partners.all())
                barrier.wait(timeout=10)
                for _attempt in range(100):
                    try:
                        update_activity(fresh, **{**form.edit(), "partners": partners})
                        outcome[title] = "accepted"
                        return
                    except Stale:
                        outcome[title] = "refused"
                        return
                    except OperationalError as error:
                        # SQLite's shared in-memory test database answers "locked" at once where a
                        # file database waits for its busy timeout: wait, as the timeout would.
                        if "locked" not in str(error):
                            raise
                        time.sleep(0.02)
            finally:
                connection.close()

        threads = [threading.Thread(target=save, args=(f"Tour {round_} {who}",)) for who in "AB"]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcome.values()) == ["accepted", "refused"], outcome
        winner = next(title for title, result in outcome.items() if result == "accepted")
        activity.refresh_from_db()
        assert activity.title == winner
