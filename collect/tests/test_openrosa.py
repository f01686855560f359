"""OpenRosa 1.0 as ODK Collect speaks it (collect/tests/odk.py): the Basic challenge, the form list,
each form, its manifest and media, the submission; who gets 401; the throttle on wrong passwords."""

import datetime as dt
import hashlib
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from collect import openrosa
from collect.actions import revoke_device
from collect.models import Device, FormVersion, Submission
from collect.tests.factories import device, form_version
from collect.tests.odk import NS, OdkCollect, message, parse
from core.throttle import LIMITS
from partnerships.models import Membership, Structure

pytestmark = pytest.mark.small_world


def csv_of(structure) -> bytes:
    return f"name,label\n{structure.code.upper()}-000001,{structure.code}\n".encode()


@pytest.fixture(autouse=True)
def fake_forms(db, monkeypatch):
    """collect/xlsforms.py's interface: one `activite` form per structure, read from FormVersion rows
    the tests make (one is made when there is none, as `current` does), and a CSV of people that differs per structure."""
    cache.clear()
    monkeypatch.setattr(openrosa.xlsforms, "forms_for", lambda structure: ["activite"])
    monkeypatch.setattr(
        openrosa.xlsforms,
        "current",
        lambda structure, kind: (
            FormVersion.objects.filter(structure=structure, kind=kind).first()
            or form_version(structure, kind)
        ),
    )
    monkeypatch.setattr(openrosa.xlsforms, "people_csv", csv_of)
    monkeypatch.setattr(openrosa.xlsforms, "MEDIA", "personnes.csv")


@pytest.fixture
def received(monkeypatch):
    """collect/intake.py's `receive_xml`, answering what the test puts in `answer` (a status and
    whether it was new, or a Refused), and keeping what it was given."""
    state = SimpleNamespace(answer=(Submission.Status.APPLIED, True), calls=[])

    def receive_xml(device, data):
        state.calls.append((device, data))
        if isinstance(state.answer, Exception):
            raise state.answer
        status, created = state.answer
        return openrosa.intake.Received(submission=SimpleNamespace(status=status), created=created)

    monkeypatch.setattr(openrosa.intake, "receive_xml", receive_xml)
    return state


def structure_of(partnership, kind):
    return Structure.objects.get(partnership=partnership, kind=kind)


def phone(world, persona="accueil", kind=Structure.Kind.MIGRANT_OFFICE, **extra):
    user = world["users"][persona]
    structure = structure_of(world["partnership"], kind)
    made, password = device(user, structure)
    url = f"http://testserver/openrosa/{world['partnership'].slug}"
    return OdkCollect(url, user.username, password, **extra), made


def test_odk_collect_lists_downloads_the_form_and_reads_its_manifest_and_media(world):
    office = structure_of(world["partnership"], Structure.Kind.MIGRANT_OFFICE)
    form = form_version(office)
    odk, _made = phone(world)

    listing = odk.form_list()
    assert listing.status_code == 200
    # The first request went without credentials and got the challenge; the second one passed.
    challenge = odk.responses[0]
    assert challenge.status_code == 401
    assert challenge["WWW-Authenticate"] == 'Basic realm="Twiza"'
    assert all(r["X-OpenRosa-Version"] == "1.0" for r in odk.responses)

    forms = parse(listing).findall("list:xform", NS)
    assert [f.findtext("list:formID", namespaces=NS) for f in forms] == [form.form_id]
    entry = forms[0]
    assert entry.findtext("list:version", namespaces=NS) == form.version
    download = odk.get(entry.findtext("list:downloadUrl", namespaces=NS))
    assert download.status_code == 200
    assert parse(download).tag == "{http://www.w3.org/1999/xhtml}html"
    md5 = hashlib.md5(download.content, usedforsecurity=False).hexdigest()
    assert entry.findtext("list:hash", namespaces=NS) == f"md5:{md5}"

    manifest = odk.get(entry.findtext("list:manifestUrl", namespaces=NS))
    media = parse(manifest).findall("manifest:mediaFile", NS)
    assert [m.findtext("manifest:filename", namespaces=NS) for m in media] == ["personnes.csv"]
    people = odk.get(media[0].findtext("manifest:downloadUrl", namespaces=NS))
    assert people.status_code == 200 and people.content == csv_of(office)
    md5 = hashlib.md5(people.content, usedforsecurity=False).hexdigest()
    assert media[0].findtext("manifest:hash", namespaces=NS) == f"md5:{md5}"
    # Once challenged, ODK Collect sends its credentials first: one 401 in all.
    assert [r.status_code for r in odk.responses].count(401) == 1


def test_behind_the_proxy_the_urls_are_https(world, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    form_version(structure_of(world["partnership"], Structure.Kind.MIGRANT_OFFICE))
    # The proxy passes the host on, and says the client came over https.
    odk, _made = phone(world, HTTP_HOST="testserver", HTTP_X_FORWARDED_PROTO="https")
    entry = parse(odk.form_list()).find("list:xform", NS)
    assert entry.findtext("list:downloadUrl", namespaces=NS).startswith("https://testserver/openrosa/")
    assert entry.findtext("list:manifestUrl", namespaces=NS).startswith("https://testserver/openrosa/")


def test_a_device_sees_and_downloads_only_its_own_structures_forms(world):
    partnership = world["partnership"]
    office = form_version(structure_of(partnership, Structure.Kind.MIGRANT_OFFICE))
    day_centre = form_version(structure_of(partnership, Structure.Kind.DAY_CENTRE))
    odk, _made = phone(world)
    ids = [f.findtext("list:formID", namespaces=NS) for f in parse(odk.form_list()).findall("list:xform", NS)]
    assert ids == [office.form_id]
    kwargs = {"slug": partnership.slug, "form_id": day_centre.form_id, "version": day_centre.version}
    for name in ["form", "manifest"]:
        assert odk.get(f"http://testserver{reverse(f'openrosa:{name}', kwargs=kwargs)}").status_code == 404
    media = reverse("openrosa:media", kwargs={**kwargs, "filename": "personnes.csv"})
    assert odk.get(f"http://testserver{media}").status_code == 404


def refused(odk) -> None:
    response = odk.form_list()
    assert response.status_code == 401
    assert response["X-OpenRosa-Version"] == "1.0"
    assert response["WWW-Authenticate"] == 'Basic realm="Twiza"'
    assert "refusé" in message(response)


def test_a_revoked_an_expired_or_a_wrong_password_gets_401(world):
    odk, made = phone(world)
    assert odk.form_list().status_code == 200
    Device.objects.filter(pk=made.pk).update(revoked_at=timezone.now())
    refused(odk)

    odk, made = phone(world)
    Device.objects.filter(pk=made.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    refused(odk)

    odk, _made = phone(world)
    odk.password += "x"
    refused(odk)
    odk.username = "nobody"
    refused(odk)


def test_a_user_who_no_longer_collects_there_or_another_partnership_gets_401(world):
    odk, made = phone(world)
    odk.server_url = f"http://testserver/openrosa/{world['other'].slug}"
    refused(odk)

    odk, made = phone(world)
    Membership.objects.filter(user=made.user).delete()
    refused(odk)


def test_last_seen_is_written_at_most_once_a_minute(world):
    odk, made = phone(world)
    odk.form_list()
    first = Device.objects.get(pk=made.pk).last_seen_at
    assert first is not None
    odk.form_list()
    assert Device.objects.get(pk=made.pk).last_seen_at == first
    Device.objects.filter(pk=made.pk).update(last_seen_at=first - dt.timedelta(minutes=2))
    odk.form_list()
    assert Device.objects.get(pk=made.pk).last_seen_at > first - dt.timedelta(minutes=1)


def test_wrong_passwords_are_throttled_and_the_challenge_does_not_count(world):
    odk, _made = phone(world)
    # ODK Collect's first request of each sync carries no credentials: never a failure.
    for _ in range(LIMITS["device_password_user"][0] + 1):
        assert (
            OdkCollect(odk.server_url, odk.username, "")
            ._send("get", f"{odk.server_url}/formList")
            .status_code
            == 401
        )
    assert odk.form_list().status_code == 200

    wrong = OdkCollect(odk.server_url, odk.username, "wrong-password")
    for _ in range(LIMITS["device_password_user"][0]):
        assert wrong.form_list().status_code == 401
    # Throttled: the right password is refused too, with its own message.
    odk.challenged = False
    response = odk.form_list()
    assert response.status_code == 401
    assert "Trop de mots de passe erronés" in message(response)


def test_the_submission_answers_head_then_takes_the_xml(world, received):
    odk, made = phone(world)
    response = odk.submit(b"<data/>")
    head = [r for r in odk.responses if r.request["REQUEST_METHOD"] == "HEAD"]
    assert head[-1].status_code == 204
    assert int(head[-1]["X-OpenRosa-Accept-Content-Length"]) > 0
    assert response.status_code == 201
    assert response["X-OpenRosa-Version"] == "1.0"
    assert parse(response).tag == "{http://openrosa.org/http/response}OpenRosaResponse"
    assert message(response) == "Envoi reçu et enregistré."
    assert received.calls == [(made, b"<data/>")]

    received.answer = (Submission.Status.APPLIED, False)
    response = odk.submit(b"<data/>")
    assert response.status_code == 201 and "rien n'a été ajouté" in message(response)

    received.answer = (Submission.Status.WAITING, True)
    response = odk.submit(b"<data/>")
    assert response.status_code == 202 and "revu" in message(response)

    received.answer = openrosa.intake.Refused("Formulaire inconnu.", 422)
    response = odk.submit(b"<data/>")
    assert response.status_code == 422 and message(response) == "Formulaire inconnu."


def test_attachments_and_posts_without_the_xml_are_refused_and_nothing_is_kept(world, received):
    odk, _made = phone(world)
    photo = {"photo.jpg": ("photo.jpg", b"\xff\xd8\xff\xe0 jpeg", "image/jpeg")}
    response = odk.submit(b"<data/>", attachments=photo)
    assert response.status_code == 400
    assert "pièces jointes" in message(response)

    response = odk.request("post", f"{odk.server_url}/submission", data={"other": "x"})
    assert response.status_code == 400
    assert "xml_submission_file" in message(response)
    assert received.calls == []


def test_session_users_get_the_challenge_not_a_page(client_for, world):
    client = client_for("accueil")
    url = reverse("openrosa:form_list", kwargs={"slug": world["partnership"].slug})
    response = client.get(url)
    assert response.status_code == 401
    assert response["X-OpenRosa-Version"] == "1.0"


def test_an_old_phone_still_syncing_does_not_lock_out_its_replacement(world):
    """A revoked device's password is refused but is no guess: it never counts towards the throttle,
    and answers of the door are never cached (they hold the structure's people)."""
    odk, made = phone(world)
    old = OdkCollect(odk.server_url, odk.username, odk.password)
    revoke_device(made, None)
    for _ in range(LIMITS["device_password_user"][0] + 2):
        assert old.form_list().status_code == 401
    replacement, _new = phone(world)
    answer = replacement.form_list()
    assert answer.status_code == 200
    assert answer["Cache-Control"] == "no-store"
