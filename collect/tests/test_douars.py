"""Issue 18: a collected activity's douar, its new people's residence and a visitor's origin come
through the intake as codes of the partnership's douars; an unknown code keeps the submission
waiting, in plain words, with nothing written."""

from activities.models import Activity, Visit
from collect import intake
from collect.models import FormKind, Submission
from collect.tests.factories import DeviceFactory, FormVersionFactory
from people.models import Person

DATE = "2025-04-01"


def activity_xml(form_id, instance, douar, home) -> bytes:
    return (
        f'<?xml version="1.0"?><data xmlns="http://opendatakit.org/submissions" '
        f'xmlns:orx="http://openrosa.org/xforms" id="{form_id}" version="1">'
        f"<activite><type>reunion-info</type><titre>Réunion au douar</titre><date>{DATE}</date>"
        f"<resultats>R1</resultats><lieu>École</lieu><douar>{douar}</douar></activite>"
        "<presences><presents></presents></presences>"
        "<nouvelles_personnes><prenom>Awa</prenom><nom>Fictive</nom><sexe>F</sexe>"
        f"<annee_naissance>1995</annee_naissance><public>migrants</public><douar>{home}</douar>"
        "</nouvelles_personnes>"
        f"<orx:meta><orx:instanceID>uuid:{instance}</orx:instanceID></orx:meta></data>"
    ).encode()


def office(world):
    partnership = world["partnership"]
    bureau = partnership.structures.get(code="bureau-migrants")
    device = DeviceFactory(structure=bureau, user=world["users"]["accueil"])
    return partnership, bureau, device


def test_an_activity_and_its_new_person_are_placed_in_their_douars(world):
    partnership, bureau, device = office(world)
    form = FormVersionFactory(structure=bureau)
    received = intake.receive_xml(device, activity_xml(form.form_id, "douar-1", "tassila", "lahrach"))
    submission = received.submission
    assert submission.status == Submission.Status.APPLIED, submission.problems
    assert submission.activity.douar.code == "tassila"
    newcomer = Person.objects.filter(structure=bureau).latest("pk")
    assert newcomer.douar.code == "lahrach"


def test_an_unknown_douar_waits_with_nothing_written(world):
    partnership, bureau, device = office(world)
    form = FormVersionFactory(structure=bureau)
    counts = (Activity.objects.count(), Person.objects.count())
    received = intake.receive_xml(device, activity_xml(form.form_id, "douar-2", "atlantide", "mu"))
    submission = received.submission
    assert submission.status == Submission.Status.WAITING
    assert (Activity.objects.count(), Person.objects.count()) == counts
    messages = {p["field"]: p["message"] for p in submission.problems}
    assert messages["activite/douar"].startswith("Douar inconnu : « atlantide »")
    assert messages["nouvelles_personnes-0-nouvelles_personnes/douar"] == "Douar inconnu : « mu »."


def test_a_visitor_comes_from_a_douar(world):
    partnership, bureau, device = office(world)
    visits = FormVersionFactory(structure=bureau, kind=FormKind.VISIT)

    def visit(instance, douar):
        return (
            f'<data id="{visits.form_id}"><date>{DATE}</date><personne/><sexe>M</sexe>'
            f"<douar>{douar}</douar><motif>Papiers</motif><orientation>juridique</orientation>"
            f"<oriente_vers/><meta><instanceID>uuid:{instance}</instanceID></meta></data>"
        ).encode()

    applied = intake.receive_xml(device, visit("visit-d1", "oulad-jerrar")).submission
    assert applied.status == Submission.Status.APPLIED, applied.problems
    assert applied.visit.douar.code == "oulad-jerrar"
    count = Visit.objects.count()
    waiting = intake.receive_xml(device, visit("visit-d2", "atlantide")).submission
    assert waiting.status == Submission.Status.WAITING and Visit.objects.count() == count
    assert [p["field"] for p in waiting.problems] == ["douar"]
