"""Submissions applied exactly once through the import's path (issue 17, points 4 and 5): a resend
adds nothing and moves no indicator twice; a submission with a problem waits with nothing written,
its problems in plain words; a device cannot submit another structure's form; a DTD is refused."""

import pytest

from activities.models import Activity, Attendance, Tally, Visit
from collect import intake
from collect.models import FormKind, Submission
from collect.tests.factories import DeviceFactory, FormVersionFactory
from indicators.models import IndicatorValue
from people import actions as people_actions
from people.models import Person, TargetGroup
from reports import actions as report_actions
from reports import kobo

DATE = "2025-04-01"


def xml(form_id, instance, *, date=DATE, kind="reunion-info", results="R1", presents="", tallies=(), new=()):
    """An ODK Collect instance of the activity form, namespaced as ODK writes it."""
    counts = "".join(
        f"<comptages><public>{g}</public><femmes>{f}</femmes><hommes>{m}</hommes>"
        f"<non_precise>{x}</non_precise></comptages>"
        for g, f, m, x in tallies
    )
    people = "".join(
        f"<nouvelles_personnes><prenom>{a}</prenom><nom>{b}</nom><sexe>{s}</sexe>"
        f"<annee_naissance>{y}</annee_naissance><public>{g}</public></nouvelles_personnes>"
        for a, b, s, y, g in new
    )
    return (
        f'<?xml version="1.0"?><data xmlns="http://opendatakit.org/submissions" '
        f'xmlns:orx="http://openrosa.org/xforms" id="{form_id}" version="1">'
        f"<activite><type>{kind}</type><titre>Réunion au douar</titre><date>{date}</date>"
        f"<resultats>{results}</resultats><lieu>Toulaasri</lieu></activite>"
        f"<presences><presents>{presents}</presents></presences>{counts}{people}"
        f"<orx:meta><orx:instanceID>uuid:{instance}</orx:instanceID></orx:meta></data>"
    ).encode()


@pytest.fixture
def office(world):
    partnership = world["partnership"]
    bureau = partnership.structures.get(code="bureau-migrants")
    user = world["users"]["accueil"]
    return {
        "partnership": partnership,
        "structure": bureau,
        "user": user,
        "device": DeviceFactory(structure=bureau, user=user),
        "form": FormVersionFactory(structure=bureau),
    }


def oc3(partnership, year=2025, sex="F") -> int:
    """OC.3's actual value (migrants at information meetings), as the indicators' figures read it."""
    row = IndicatorValue.objects.filter(
        indicator__result__partnership=partnership, indicator__code="OC.3", period=year, sex=sex
    ).first()
    return row.value if row else 0


def test_applied_once_a_resend_adds_nothing_and_moves_the_indicator_once(office):
    partnership, form = office["partnership"], office["form"]
    data = xml(
        form.form_id,
        "5f1d0c7e-0000-4000-8000-000000000001",
        tallies=[("migrants", "3", "2", ""), ("", "1", "", "4")],
        new=[("Awa", "Diallo", "F", "1998", "migrants")],
    )
    before, people = oc3(partnership), Person.objects.count()
    received = intake.receive_xml(office["device"], data)
    submission = received.submission
    assert received.created and submission.status == Submission.Status.APPLIED, submission.problems
    assert submission.instance_id == "5f1d0c7e-0000-4000-8000-000000000001"  # without `uuid:`
    activity = submission.activity
    assert (activity.kind, activity.place, activity.structure) == (
        "reunion-info",
        "Toulaasri",
        office["structure"],
    )
    migrants = TargetGroup.objects.get(code="migrants")
    tallies = {(t.sex, t.target_group_id): t.count for t in activity.tallies.all()}
    assert tallies == {("F", migrants.pk): 3, ("M", migrants.pk): 2, ("F", None): 1, ("X", None): 4}
    awa = Person.objects.get(pk=Attendance.objects.get(activity=activity).person_id)
    assert awa.structure == office["structure"] and awa.sex == "F" and awa.birth_year == 1998
    assert oc3(partnership) == before + 1

    counts = (
        Activity.objects.count(),
        Tally.objects.count(),
        Person.objects.count(),
        Submission.objects.count(),
    )
    again = intake.receive_xml(office["device"], data)
    assert not again.created and again.submission.pk == submission.pk
    assert (
        Activity.objects.count(),
        Tally.objects.count(),
        Person.objects.count(),
        Submission.objects.count(),
    ) == counts
    assert Person.objects.count() == people + 1
    assert oc3(partnership) == before + 1


def test_a_submission_with_problems_waits_with_nothing_written(office):
    partnership = office["partnership"]
    jour = partnership.structures.get(code="centre-jour")
    stranger = people_actions.register_person(partnership, sex="M", birth_year=2005, structure=jour)
    data = xml(
        office["form"].form_id,
        "bad-1",
        date="2019-03-01",
        results="R1 R9",
        kind="pique-nique",
        presents=stranger.code,
        tallies=[("inconnus", "2", "", "")],
        new=[("", "Diallo", "Z", "1850", "")],
    )
    counts = (Activity.objects.count(), Person.objects.count(), Tally.objects.count())
    received = intake.receive_xml(office["device"], data)
    submission = received.submission
    assert submission.status == Submission.Status.WAITING and submission.activity is None
    assert (Activity.objects.count(), Person.objects.count(), Tally.objects.count()) == counts
    messages = {p["field"]: p["message"] for p in submission.problems}
    assert messages["activite/date"] == "La date 2019-03-01 est hors des années du partenariat."
    assert messages["activite/resultats"] == "Résultat inconnu : « R9 »."
    assert messages["activite/type"] == "Type d'activité inconnu : « pique-nique »."
    assert messages["comptages"] == "Public cible inconnu : « inconnus »."
    assert "nouvelles_personnes-0-nouvelles_personnes/prenom" in messages
    assert "1850" in messages["nouvelles_personnes-0-nouvelles_personnes/annee_naissance"]


def test_a_person_of_another_structure_is_a_problem_in_plain_words(office, world):
    """Even on the coordinator's phone (she sees every person), a form's people are its structure's;
    the office's own staff do not even see the day centre's people (the import's message)."""
    partnership = office["partnership"]
    jour = partnership.structures.get(code="centre-jour")
    stranger = people_actions.register_person(partnership, sex="M", birth_year=2005, structure=jour)
    phone = DeviceFactory(structure=office["structure"], user=world["users"]["coordination"])
    received = intake.receive_xml(phone, xml(office["form"].form_id, "other-1", presents=stranger.code))
    assert received.submission.status == Submission.Status.WAITING
    assert received.submission.problems == [
        {"field": "presences/presents", "message": f"Personne d'une autre structure : {stranger.code}."}
    ]
    assert not Attendance.objects.filter(person=stranger).exists()
    staff = intake.receive_xml(
        office["device"], xml(office["form"].form_id, "other-2", presents=stranger.code)
    )
    assert staff.submission.problems[0]["message"].startswith("Personne inconnue ou hors de votre périmètre")


def test_a_device_of_one_structure_cannot_submit_another_structures_form(office):
    jour = office["partnership"].structures.get(code="centre-jour")
    theirs = FormVersionFactory(structure=jour)
    with pytest.raises(intake.Refused) as refused:
        intake.receive_xml(office["device"], xml(theirs.form_id, "b-1"))
    assert refused.value.status == 403
    with pytest.raises(intake.Refused) as unknown:
        intake.receive_xml(office["device"], xml("twiza_inconnu", "b-2"))
    assert unknown.value.status == 404 and "Formulaire inconnu" in unknown.value.message
    assert not Submission.objects.exists()


def test_xml_with_a_dtd_or_without_instance_id_is_refused(office):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE data [<!ENTITY a "aaaa">]>'
        b'<data id="' + office["form"].form_id.encode() + b'"><activite><titre>&a;</titre></activite></data>'
    )
    with pytest.raises(intake.Refused) as refused:
        intake.receive_xml(office["device"], bomb)
    assert refused.value.status == 400
    with pytest.raises(intake.Refused):
        intake.receive_xml(office["device"], xml(office["form"].form_id, "").replace(b"uuid:", b""))
    with pytest.raises(intake.Refused):
        intake.receive_xml(office["device"], b"<data")
    assert not Submission.objects.exists()


def test_a_submission_received_then_imported_from_an_export_counts_as_known(office):
    partnership, user = office["partnership"], office["user"]
    intake.receive_xml(
        office["device"], xml(office["form"].form_id, "kobo-uuid-7", tallies=[("", "2", "", "")])
    )
    export = b"_uuid;activite/date;comptage/femmes\nkobo-uuid-7;2025-04-01;2\n"
    before = Activity.objects.count()
    outcome = report_actions.import_file(
        partnership,
        "reunion-info",
        user,
        partnership.structures.filter(code="bureau-migrants"),
        export,
        "export.csv",
        kobo.guess_mapping(["_uuid", "activite/date", "comptage/femmes"]),
    )
    assert (outcome.known, outcome.created, outcome.problem_count) == (1, 0, 0)
    assert Activity.objects.count() == before


def test_a_visit_is_saved_as_the_visits_page_saves_it(office):
    visits = FormVersionFactory(structure=office["structure"], kind=FormKind.VISIT)
    data = (
        f'<data id="{visits.form_id}"><date>{DATE}</date><personne/><sexe>F</sexe>'
        "<motif>Papiers</motif><orientation>juridique</orientation><oriente_vers/>"
        "<meta><instanceID>uuid:visit-1</instanceID></meta></data>"
    ).encode()
    received = intake.receive_xml(office["device"], data)
    assert received.submission.status == Submission.Status.APPLIED, received.submission.problems
    visit = received.submission.visit
    assert (visit.reason, visit.sex, visit.orientation, visit.structure) == (
        "Papiers",
        "F",
        "juridique",
        office["structure"],
    )
    bad = data.replace(b"visit-1", b"visit-2").replace(b"<sexe>F</sexe>", b"<sexe/>")
    count = Visit.objects.count()
    waiting = intake.receive_xml(office["device"], bad).submission
    assert waiting.status == Submission.Status.WAITING and Visit.objects.count() == count
    assert waiting.problems == [{"field": "sexe", "message": "Indiquez le sexe d'un visiteur anonyme."}]


def test_two_identical_posts_at_once_keep_one_and_answer_the_other_with_it(office, monkeypatch):
    """The other request kept the instance after this one looked it up (not found yet): the unique
    constraint refuses this one's insert, and it answers the other's submission, adding nothing."""
    from django.db.models.query import QuerySet

    data = xml(office["form"].form_id, "race-1", tallies=[("", "2", "", "")])
    intake.receive_xml(office["device"], data)  # the other request, first to insert
    first = QuerySet.first

    def not_yet(self):  # this request's look-up ran before the other's insert
        if self.model is not Submission:
            return first(self)
        monkeypatch.setattr(QuerySet, "first", first)
        return None

    monkeypatch.setattr(QuerySet, "first", not_yet)
    activities = Activity.objects.count()
    received = intake.receive_xml(office["device"], data)
    assert not received.created and received.submission.status == Submission.Status.APPLIED
    assert Submission.objects.filter(instance_id="race-1").count() == 1
    assert Activity.objects.count() == activities


def test_deep_nesting_is_refused_not_a_crash(office):
    """An attacker's 5,000 nested elements (7 KB) exhausted the reader's recursion: a 500."""
    deep = b"<a>" * 5000 + b"x" + b"</a>" * 5000
    body = b'<data id="' + office["form"].form_id.encode() + b'">' + deep + b"</data>"
    with pytest.raises(intake.Refused) as refused:
        intake.receive_xml(office["device"], body)
    assert refused.value.status == 400
    assert not Submission.objects.exists()


def test_a_birth_year_written_with_a_superscript_is_a_problem_of_its_field(office):
    received = intake.receive_xml(
        office["device"],
        xml(office["form"].form_id, "year-2", new=[("Amina", "Idrissi", "F", "²", "migrants")]),
    )
    submission = received.submission
    assert submission.status == Submission.Status.WAITING
    [problem] = submission.problems
    assert problem["field"].endswith("annee_naissance")
    assert "Année de naissance impossible" in problem["message"]


def test_a_kind_the_form_does_not_offer_and_a_date_with_a_tail_are_problems(office):
    bad = [
        xml(office["form"].form_id, "kind-1", kind="accueil-jour"),
        xml(office["form"].form_id, "date-1", date="2025-04-01T99junk"),
    ]
    for body in bad:
        assert intake.receive_xml(office["device"], body).submission.status == Submission.Status.WAITING
    assert not Activity.objects.filter(title="Réunion au douar").exists()


def test_an_id_already_imported_for_another_structure_waits_with_a_problem(office, world):
    """An XLSX import wrote the migrant office's activity under this `_uuid`; the day centre's phone
    sending the same id must not be linked to it (its answers would be lost)."""
    partnership, user = office["partnership"], office["user"]
    export = b"_uuid;activite/date;comptage/femmes\nshared-id-1;2025-04-01;2\n"
    report_actions.import_file(
        partnership,
        "reunion-info",
        user,
        partnership.structures.filter(code="bureau-migrants"),
        export,
        "export.csv",
        kobo.guess_mapping(["_uuid", "activite/date", "comptage/femmes"]),
    )
    centre = partnership.structures.get(code="centre-jour")
    device = DeviceFactory(structure=centre, user=world["users"]["jour"])
    form = FormVersionFactory(structure=centre)
    submission = intake.receive_xml(
        device, xml(form.form_id, "shared-id-1", tallies=[("", "7", "", "")])
    ).submission
    assert submission.status == Submission.Status.WAITING
    assert submission.activity is None
    assert "autre structure" in submission.problems[0]["message"]
