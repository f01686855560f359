"""Issue 17's end-to-end test, on the demo world with the real forms (collect/xlsforms.py): a phone
of the migrant office speaks to Twiza exactly as ODK Collect does (collect/tests/odk.py) — form list,
form, manifest, media, submission, the same submission again, a bad one held in the review queue,
corrected there — and the indicators move once; Kobo's push of the same form lands once; the visit
and day-centre forms make a visit and a day-centre session."""

import csv
import hashlib
import io
import json

import pytest
from django.urls import reverse

from accounts.models import ApiToken
from activities.models import Activity, Attendance, Tally, Visit
from collect.actions import create_device, create_kobo_hook
from collect.instances import filled
from collect.models import Submission
from collect.tests.odk import NS, OdkCollect, message, parse
from people.models import Person

DATE = "2025-04-01"  # within the programme (2022–2026), never after today
YEAR = 2025


@pytest.fixture
def office(world):
    partnership = world["partnership"]
    return partnership, partnership.structures.get(code="bureau-migrants"), world["users"]["accueil"]


def phone(partnership, structure, user) -> OdkCollect:
    """ODK Collect configured with a device password made as the Collecte page makes it."""
    _device, password = create_device(user, structure, "Téléphone du bureau", user)
    return OdkCollect(f"http://testserver/openrosa/{partnership.slug}", user.username, password)


def text(element, path: str) -> str:
    return element.findtext(path, namespaces=NS) or ""


def md5(content: bytes) -> str:
    return "md5:" + hashlib.md5(content, usedforsecurity=False).hexdigest()


def download(odk: OdkCollect, kind: str) -> tuple[bytes, list[str]]:
    """What ODK Collect fetches for the form of `kind`: the XForm (its hash checked against the list)
    and the codes of its media `personnes.csv` (its hash checked against the manifest)."""
    listing = odk.form_list()
    assert listing.status_code == 200
    entries = parse(listing).findall("list:xform", NS)
    entry = next(e for e in entries if f"_{kind}_" in text(e, "list:formID"))
    form = odk.get(text(entry, "list:downloadUrl"))
    assert form.status_code == 200 and text(entry, "list:hash") == md5(form.content)
    manifest = odk.get(text(entry, "list:manifestUrl"))
    [media] = parse(manifest).findall("manifest:mediaFile", NS)
    assert text(media, "manifest:filename") == "personnes.csv"
    people = odk.get(text(media, "manifest:downloadUrl"))
    assert people.status_code == 200 and text(media, "manifest:hash") == md5(people.content)
    codes = [row["name"] for row in csv.DictReader(io.StringIO(people.content.decode()))]
    return form.content, codes


def oc3(client, token, partnership) -> dict[str, int]:
    """OC.3 (migrants at information meetings) for YEAR by sex, as the indicators API gives it."""
    answer = client.get(
        f"/api/v1/partnerships/{partnership.slug}/indicators?year={YEAR}",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    indicator = next(i for i in answer if i["code"] == "OC.3")
    return {v["sex"]: v["actual"] or 0 for v in indicator["values"]}


def newcomers(codes: list[str]) -> list[Person]:
    """People of the CSV who are migrants and at no information meeting in YEAR yet: each one
    brought to one moves OC.3 by one, for her sex."""
    return list(
        Person.objects.filter(code__in=codes, target_groups__code="migrants")
        .exclude(attendances__activity__kind="reunion-info", attendances__date__year=YEAR)
        .order_by("number")
    )


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Submission, Activity, Attendance, Tally, Person, Visit))


def test_odk_collect_downloads_submits_resends_and_a_correction_moves_the_indicators_once(
    office, users, client_for, client
):
    partnership, structure, accueil = office
    token = ApiToken.issue(users["coordination"])
    odk = phone(partnership, structure, accueil)
    xform, codes = download(odk, "activite")
    assert codes and set(Person.objects.filter(code__in=codes).values_list("structure__code", flat=True)) == {
        "bureau-migrants"
    }
    first, second, third = newcomers(codes)[:3]
    before, rows = oc3(client, token, partnership), counts()

    good = filled(
        xform,
        {
            "activite/type": "reunion-info",
            "activite/titre": "Réunion d'information au bureau",
            "activite/date": DATE,
            "activite/resultats": "OC",
            "activite/lieu": "Belfaa",
            "presences/presents": f"{first.code} {second.code}",
        },
        "0d6c2f3e-1111-4a5b-9c7d-000000000001",
        comptages=[{"public": "migrants", "femmes": "4", "hommes": "2", "non_precise": "0"}],
        nouvelles_personnes=[
            {"prenom": "Awa", "nom": "Diallo", "sexe": "F", "annee_naissance": "1997", "public": "migrants"}
        ],
    )
    sent = odk.submit(good)
    assert sent.status_code == 201, message(sent)
    assert [r.request["REQUEST_METHOD"] for r in odk.responses[-2:]] == ["HEAD", "POST"]
    submission = Submission.objects.get(instance_id="0d6c2f3e-1111-4a5b-9c7d-000000000001")
    activity = submission.activity
    assert (activity.kind, activity.date.isoformat(), activity.structure) == ("reunion-info", DATE, structure)
    assert set(activity.attendances.values_list("person__code", flat=True)) >= {first.code, second.code}
    assert activity.attendances.count() == 3  # the two of the CSV and the new person
    assert activity.tallies.get(sex="F").count == 4
    added = counts()
    assert (added[0], added[1], added[2], added[4]) == (rows[0] + 1, rows[1] + 1, rows[2] + 3, rows[4] + 1)

    again = odk.submit(good)
    assert again.status_code == 201 and "déjà été reçu" in message(again)
    assert counts() == added

    # A person of another structure (the day centre's): held for review, nothing written.
    stranger = Person.objects.filter(partnership=partnership, structure__code="centre-jour").first()
    bad = filled(
        xform,
        {
            "activite/type": "reunion-info",
            "activite/date": DATE,
            "presences/presents": f"{third.code} {stranger.code}",
        },
        "0d6c2f3e-1111-4a5b-9c7d-000000000002",
    )
    held = odk.submit(bad)
    assert held.status_code == 202, message(held)
    waiting = Submission.objects.get(instance_id="0d6c2f3e-1111-4a5b-9c7d-000000000002")
    assert waiting.status == Submission.Status.WAITING and waiting.activity is None
    assert [p["field"] for p in waiting.problems] == ["presences/presents"]
    assert counts() == (added[0] + 1, *added[1:])

    # Corrected on the review page by the office's agent: applied through the same path.
    reviewer = client_for("accueil")
    queue = reverse("collect:queue", kwargs={"slug": partnership.slug})
    review = reverse("collect:review", kwargs={"slug": partnership.slug, "pk": waiting.pk})
    assert review in reviewer.get(queue).content.decode()
    form = reviewer.get(review).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["presences/presents"] = third.code
    done = reviewer.post(review, data)
    assert done.status_code == 302 and done["Location"] == queue
    waiting.refresh_from_db()
    assert waiting.status == Submission.Status.APPLIED and waiting.reviewed_by == accueil
    assert list(waiting.activity.attendances.values_list("person__code", flat=True)) == [third.code]

    # OC.3 moved once for each migrant brought to a meeting: the two, the new woman, the corrected one.
    expected = dict(before)
    for person_sex in [first.sex, second.sex, "F", third.sex]:
        expected[person_sex] += 1
    expected["total"] += 4
    assert oc3(client, token, partnership) == expected
    assert odk.submit(good).status_code == 201 and odk.submit(bad).status_code == 201
    assert oc3(client, token, partnership) == expected
    assert counts()[1:] == (added[1] + 1, added[2] + 1, *added[3:])


def test_kobos_push_of_the_same_form_lands_once(office, client):
    partnership, structure, accueil = office
    odk = phone(partnership, structure, accueil)
    xform, codes = download(odk, "activite")
    form_id = "twiza_activite_bureau_migrants"  # the brief's rule: twiza_<kind>_<structure code>
    _hook, secret = create_kobo_hook(partnership, structure, "activite", "Campagne des douars", accueil)
    body = {
        "_uuid": "kobo-7d1e",
        "_xform_id_string": form_id,
        "__version__": "vKobo1",
        "activite/type": "campagne",
        "activite/date": DATE,
        "presences/presents": codes[0],
        "comptages": [{"comptages/public": "migrants", "comptages/femmes": "5", "comptages/hommes": "1"}],
        "meta/instanceID": "uuid:kobo-7d1e",
    }
    url = reverse("openrosa:kobo", kwargs={"slug": partnership.slug, "secret": secret})
    before = counts()
    first = client.post(url, json.dumps(body), content_type="application/json")
    assert first.status_code == 201, first.json()
    activity = Submission.objects.get(instance_id="kobo-7d1e").activity
    assert activity.kind == "campagne" and activity.tallies.get(sex="F").count == 5
    added = counts()
    assert added[:4] == (before[0] + 1, before[1] + 1, before[2] + 1, before[3] + 2)
    again = client.post(url, json.dumps(body), content_type="application/json")
    assert again.status_code == 200 and counts() == added


def test_the_visit_form_makes_a_visit(office):
    partnership, structure, accueil = office
    odk = phone(partnership, structure, accueil)
    xform, codes = download(odk, "visite")
    answers = {"date": DATE, "personne": codes[0], "motif": "Papiers de séjour", "orientation": "juridique"}
    sent = odk.submit(filled(xform, answers, "visit-0001"))
    assert sent.status_code == 201, message(sent)
    visit = Submission.objects.get(instance_id="visit-0001").visit
    assert (visit.structure, visit.person.code, visit.reason, visit.orientation) == (
        structure,
        codes[0],
        "Papiers de séjour",
        "juridique",
    )


def test_the_day_centres_session_form_makes_a_day_centre_session(world):
    partnership = world["partnership"]
    centre = partnership.structures.get(code="centre-jour")
    odk = phone(partnership, centre, world["users"]["jour"])
    xform, codes = download(odk, "seance_jour")
    # ODK Collect writes the calculate `type` (the form's kind) with the answers.
    answers = {
        "activite/type": "accueil-jour",
        "activite/titre": "Accueil du matin",
        "activite/date": DATE,
        "presences/presents": codes[0],
    }
    sent = odk.submit(filled(xform, answers, "jour-0001"))
    assert sent.status_code == 201, message(sent)
    activity = Submission.objects.get(instance_id="jour-0001").activity
    assert (activity.kind, activity.structure, activity.title) == ("accueil-jour", centre, "Accueil du matin")
    assert list(activity.attendances.values_list("person__code", flat=True)) == [codes[0]]
    # A session whose calculate was changed (a form edited in Kobo) is still the day centre's session:
    # the review page has no field to correct a kind, so it must not wait on one.
    other = odk.submit(filled(xform, {**answers, "activite/type": "campagne"}, "jour-0002"))
    assert other.status_code == 201, message(other)
    assert Submission.objects.get(instance_id="jour-0002").activity.kind == "accueil-jour"
