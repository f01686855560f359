"""Device passwords: made on the collection page for oneself (shown once, with the QR code ODK
Collect scans) or by the `create_device_password` command; listed, revoked; never for the
listening centre."""

import base64
import json
import re
import zlib
from io import StringIO

import pytest
import segno
from django.core.management import CommandError, call_command
from django.urls import reverse

from collect import openrosa
from collect.models import Device, Submission
from collect.tests.odk import OdkCollect
from partnerships.models import Structure

pytestmark = pytest.mark.small_world


def pages(world):
    slug = {"slug": world["partnership"].slug}
    return reverse("collect:index", kwargs=slug), reverse("collect:device_new", kwargs=slug)


@pytest.fixture(autouse=True)
def no_forms(monkeypatch):
    """collect/xlsforms.py's interface, with no form: the form list is then empty."""
    monkeypatch.setattr(openrosa.xlsforms, "forms_for", lambda structure: [])


def test_she_makes_a_device_password_for_herself_shown_once_with_its_qr_code(client_for, world):
    index, new = pages(world)
    client = client_for("accueil")
    assert client.get(new).status_code == 200
    office = Structure.objects.get(partnership=world["partnership"], kind=Structure.Kind.MIGRANT_OFFICE)
    response = client.post(new, {"structure": office.pk, "label": "téléphone de Fatima"})
    assert response.status_code == 200
    html = response.content.decode()
    password = re.search(r'id="device-password" dir="ltr">([^<]+)<', html).group(1)
    server = re.search(r'id="server-url" dir="ltr">([^<]+)<', html).group(1)
    device = Device.objects.get()
    assert (device.user, device.structure, device.label) == (
        world["users"]["accueil"],
        office,
        "téléphone de Fatima",
    )
    assert server == f"http://testserver/openrosa/{world['partnership'].slug}"
    assert password not in client.get(index).content.decode()  # shown once

    # The QR code is the one of ODK Collect's settings, zlib-compressed and base64-encoded.
    username = world["users"]["accueil"].username
    settings = {
        "general": {"server_url": server, "username": username, "password": password},
        "admin": {},
        "project": {"name": f"Twiza — {office.label}"},
    }
    payload = base64.b64encode(zlib.compress(json.dumps(settings).encode())).decode()
    svg = segno.make(payload, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff")
    assert svg in html
    assert json.loads(zlib.decompress(base64.b64decode(payload))) == settings

    # And the phone signs in with it.
    assert OdkCollect(server, username, password).form_list().status_code == 200


def test_she_cannot_make_one_for_a_structure_she_does_not_collect_for(client_for, world):
    _index, new = pages(world)
    day_centre = Structure.objects.get(partnership=world["partnership"], kind=Structure.Kind.DAY_CENTRE)
    response = client_for("accueil").post(new, {"structure": day_centre.pk, "label": "x"})
    assert response.status_code == 400
    assert not Device.objects.exists()


@pytest.mark.parametrize("persona", ["ecoute", "centre", "jette", "reseau", "admin", "outsider"])
def test_the_listening_centre_and_who_does_not_collect_get_404(client_for, world, persona):
    for url in pages(world):
        assert client_for(persona).get(url).status_code == 404


def test_the_list_shows_each_device_with_its_last_submission_and_revoke_ends_it(client_for, world):
    index, _new = pages(world)
    office = Structure.objects.get(partnership=world["partnership"], kind=Structure.Kind.MIGRANT_OFFICE)
    out = StringIO()
    call_command("create_device_password", world["users"]["accueil"].username, "--label", "vieux", stdout=out)
    device = Device.objects.get()
    Submission.objects.create(
        partnership=office.partnership,
        structure=office,
        kind="visite",
        instance_id="abc",
        form_id="f",
        device=device,
        payload="{}",
        status=Submission.Status.WAITING,
    )
    client = client_for("coordination")  # the coordinator sees every structure's devices
    html = client.get(index).content.decode()
    assert "vieux" in html and "aucun" not in html and "actif" in html

    revoke = reverse("collect:device_revoke", kwargs={"slug": world["partnership"].slug, "pk": device.pk})
    assert client_for("jour").post(revoke).status_code == 404  # not her structure
    assert client.post(revoke).status_code == 302
    device.refresh_from_db()
    assert device.revoked_at is not None and device.revoked_by == world["users"]["coordination"]
    password = out.getvalue().split()[-1]
    url = f"http://testserver/openrosa/{world['partnership'].slug}"
    assert OdkCollect(url, device.user.username, password).form_list().status_code == 401


def test_the_command_prints_a_working_password_as_its_last_word(world):
    out = StringIO()
    call_command("create_device_password", world["users"]["jour"].username, stdout=out)
    password = out.getvalue().split()[-1]
    url = f"http://testserver/openrosa/{world['partnership'].slug}"
    assert OdkCollect(url, world["users"]["jour"].username, password).form_list().status_code == 200


@pytest.mark.parametrize("persona", ["ecoute", "centre", "jette", "reseau", "admin", "outsider"])
def test_the_command_refuses_who_may_not_collect(world, persona):
    with pytest.raises(CommandError, match="ne collecte pour aucune structure"):
        call_command("create_device_password", world["users"][persona].username, stdout=StringIO())
    assert not Device.objects.exists()


def test_the_command_refuses_an_inactive_user_and_asks_which_structure_when_there_are_several(world):
    jour = world["users"]["jour"]
    jour.is_active = False
    jour.save()
    with pytest.raises(CommandError, match="Aucun utilisateur actif"):
        call_command("create_device_password", jour.username, stdout=StringIO())

    coordination = world["users"]["coordination"]
    with pytest.raises(CommandError, match="précisez --partnership et --structure"):
        call_command("create_device_password", coordination.username, stdout=StringIO())
    office = Structure.objects.get(partnership=world["partnership"], kind=Structure.Kind.MIGRANT_OFFICE)
    centre = Structure.objects.get(partnership=world["partnership"], kind=Structure.Kind.LISTENING_CENTRE)
    with pytest.raises(CommandError, match="ne collecte pour aucune structure"):
        call_command(
            "create_device_password", coordination.username, "--structure", centre.code, stdout=StringIO()
        )
    call_command(
        "create_device_password", coordination.username, "--structure", office.code, stdout=StringIO()
    )
    assert Device.objects.get().structure == office
    assert not Device.objects.filter(user=jour).exists()


def test_the_navigation_leads_who_collects_to_the_collection_page(client_for, world):
    index, _new = pages(world)
    detail = reverse("partnerships:detail", kwargs={"slug": world["partnership"].slug})
    for persona in ["coordination", "accueil", "jour"]:
        assert f'href="{index}"' in client_for(persona).get(detail).content.decode(), persona
    assert f'href="{index}" aria-current="page"' in client_for("jour").get(index).content.decode()
    for persona in ["ecoute", "centre", "jette"]:
        assert f'href="{index}"' not in client_for(persona).get(detail).content.decode(), persona
