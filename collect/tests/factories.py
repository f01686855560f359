import hashlib

from collect.actions import create_device
from collect.models import FormVersion


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
