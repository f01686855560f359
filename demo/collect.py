"""Demo offline collection (issue 17): the migrant office's agent `accueil` has a phone set up (a
device password; never printed here — `create_device_password` prints one for a real phone), and the
office's review queue holds one submission from it that names a person of another structure (the
day centre's), so the Collecte page, the queue and "Mon travail" each show one item.

A waiting submission writes nothing but itself (collect/intake.py): no figure moves. Idempotent: the
device is found by its name, the submission by its instance id (and the intake adds nothing for an
instance it already holds)."""

import datetime as dt

from django.utils import timezone

from accounts.models import User
from collect import intake, xlsforms
from collect.actions import create_device
from collect.instances import filled
from collect.models import Device, FormKind, Submission
from partnerships.models import Partnership
from people.models import Person

DEVICE = "Téléphone du bureau"
INSTANCE = "d3m0c011-ec7e-4d00-8000-000000000001"


def load(partnership: Partnership) -> None:
    accueil = User.objects.filter(username="accueil").first()
    office = partnership.structures.filter(code="bureau-migrants").first()
    if accueil is None or office is None:
        return
    device = Device.objects.filter(user=accueil, structure=office, label=DEVICE).first()
    if device is None:
        device, _password = create_device(accueil, office, DEVICE, accueil)  # shown to no one
    if Submission.objects.filter(partnership=partnership, instance_id=INSTANCE).exists():
        return
    own = Person.objects.filter(structure=office).order_by("number").first()
    stranger = Person.objects.filter(structure__code="centre-jour").order_by("number").first()
    if own is None or stranger is None:
        return
    day = min(timezone.localdate(), dt.date(partnership.end_year, 6, 15)) - dt.timedelta(days=2)
    form = xlsforms.current(office, FormKind.ACTIVITY)
    answers = {
        "activite/type": "reunion-info",
        "activite/titre": "Réunion d'information au douar Toulaasri",
        "activite/date": day.isoformat(),
        "activite/lieu": "Toulaasri",
        "presences/presents": f"{own.code} {stranger.code}",
    }
    xml = filled(
        form.xform,
        answers,
        INSTANCE,
        comptages=[{"public": "migrants", "femmes": "3", "hommes": "5", "non_precise": ""}],
    )
    intake.receive_xml(device, xml)
