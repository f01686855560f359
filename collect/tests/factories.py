"""Devices, form versions, Kobo hooks and submissions for the tests, made directly (the form builder
and the OpenRosa endpoints are other modules' work)."""

import hashlib
import itertools
import json

import factory
from factory.django import DjangoModelFactory

from collect.actions import create_device
from collect.models import Device, FormKind, FormVersion, KoboHook, Submission, digest, new_secret


def xform(form_id: str, version: str) -> str:
    """A small valid XForm (one date question and the instance id), as pyxform writes them."""
    return f"""<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml" xmlns:jr="http://openrosa.org/javarosa">
  <h:head><h:title>{form_id}</h:title>
    <model><instance><data id="{form_id}" version="{version}"><date/><meta><instanceID/></meta></data></instance>
      <bind nodeset="/data/date" type="date" required="true()"/>
      <bind nodeset="/data/meta/instanceID" type="string" readonly="true()" jr:preload="uid"/>
    </model>
  </h:head>
  <h:body><input ref="/data/date"><label>Date</label></input></h:body>
</h:html>
"""


def form_version(structure, kind: str = "activite", version: str = "1") -> FormVersion:
    form_id = f"twiza_{kind}_{structure.code.replace('-', '_')}"
    text = xform(form_id, version)
    return FormVersion.objects.create(
        partnership=structure.partnership,
        structure=structure,
        kind=kind,
        form_id=form_id,
        version=version,
        source_hash=hashlib.sha256(text.encode()).hexdigest(),
        xlsform=b"",
        xform=text,
        xform_md5=hashlib.md5(text.encode(), usedforsecurity=False).hexdigest(),
    )


def device(user, structure, label: str = "téléphone"):
    """(device, password) for `user` in `structure`."""
    return create_device(user, structure, label, created_by=user)


_numbers = itertools.count(1)


def form_id(kind: str, structure) -> str:
    """The form id the form builder gives (the brief): twiza_<kind>_<structure code with _>."""
    return f"twiza_{kind}_{structure.code.replace('-', '_')}"


class _WithSecret(DjangoModelFactory):
    """Keeps the raw secret on the object made (`obj.secret`), as the page shows it once."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        secret = kwargs.pop("secret")
        obj = super()._create(model_class, *args, **kwargs)
        obj.secret = secret
        return obj


class DeviceFactory(_WithSecret):
    """A device of `user` for `structure` (its partnership's); `secret` holds its password."""

    class Meta:
        model = Device

    structure = None  # required
    partnership = factory.LazyAttribute(lambda o: o.structure.partnership)
    user = None  # required
    label = factory.Sequence(lambda n: f"Téléphone {n}")
    secret = factory.LazyFunction(new_secret)
    secret_hash = factory.LazyAttribute(lambda o: digest(o.secret))


XFORM = """<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml">
  <h:head><h:title>{form_id}</h:title><model>
    <instance><data id="{form_id}" version="{version}"><activite><type/><titre/><date/>
    <resultats/><lieu/></activite><presences><presents/></presences><meta><instanceID/></meta>
    </data></instance></model></h:head><h:body/></h:html>"""


class FormVersionFactory(DjangoModelFactory):
    """A version of `kind`'s form for `structure`, with a plausible XForm (not pyxform's)."""

    class Meta:
        model = FormVersion

    structure = None  # required
    partnership = factory.LazyAttribute(lambda o: o.structure.partnership)
    kind = FormKind.ACTIVITY
    form_id = factory.LazyAttribute(lambda o: form_id(o.kind, o.structure))
    version = factory.Sequence(lambda n: f"2026112{n:04d}")
    xform = factory.LazyAttribute(lambda o: XFORM.format(form_id=o.form_id, version=o.version))
    xform_md5 = factory.LazyAttribute(lambda o: hashlib.md5(o.xform.encode()).hexdigest())  # noqa: S324
    source_hash = factory.LazyAttribute(lambda o: hashlib.sha256(o.xform.encode()).hexdigest())
    xlsform = b""


class KoboHookFactory(_WithSecret):
    """A Kobo link of `user` for `structure`'s form `kind`; `secret` is the URL's."""

    class Meta:
        model = KoboHook

    structure = None  # required
    partnership = factory.LazyAttribute(lambda o: o.structure.partnership)
    kind = FormKind.ACTIVITY
    label = factory.Sequence(lambda n: f"Projet Kobo {n}")
    user = None  # required
    secret = factory.LazyFunction(lambda: new_secret(groups=8))
    secret_hash = factory.LazyAttribute(lambda o: digest(o.secret))


class SubmissionFactory(DjangoModelFactory):
    """A submission of `structure`, waiting by default, with `answers` (Kobo's JSON shape)."""

    class Meta:
        model = Submission
        exclude = ["answers"]

    structure = None  # required
    partnership = factory.LazyAttribute(lambda o: o.structure.partnership)
    kind = FormKind.ACTIVITY
    instance_id = factory.Sequence(lambda n: f"test-instance-{n}")
    form_id = factory.LazyAttribute(lambda o: form_id(o.kind, o.structure))
    answers: dict = {}
    payload = factory.LazyAttribute(lambda o: json.dumps(o.answers))
    status = Submission.Status.WAITING
    problems: list = []
