"""The instance ODK Collect sends for an XForm, filled with given answers: the demo's submissions
(demo/collect.py) go through the intake as a phone's would, and the tests speak as ODK Collect."""

import xml.etree.ElementTree as ET  # noqa: S405 - builds XML; the XForm is read with defusedxml

from defusedxml import ElementTree as SafeTree

XFORMS = "http://www.w3.org/2002/xforms"
JAVAROSA = "http://openrosa.org/javarosa"


def filled(
    xform: str | bytes, answers: dict[str, str], instance_id: str, **repeats: list[dict[str, str]]
) -> bytes:
    """The instance ODK Collect sends for `xform`: its primary instance (root, `id`, `version`), each
    leaf `group/field` answered from `answers` (left empty otherwise), each repeat's rows made from
    its template (`comptages=[{"public": "migrants", "femmes": "3"}]`), and `meta/instanceID` as
    `uuid:…`. ODK Collect writes the elements without the XForm's namespace."""
    html = SafeTree.fromstring(xform, forbid_dtd=True)
    primary = html.find(f".//{{{XFORMS}}}model/{{{XFORMS}}}instance")
    if primary is None or not len(primary):
        raise ValueError("an XForm has a primary instance")
    source = primary[0]
    template = f"{{{JAVAROSA}}}template"
    repeated = {e.tag for e in source.iter() if e.get(template) is not None}

    def local(element: ET.Element) -> str:
        return element.tag.rsplit("}", 1)[-1]

    def copy(element: ET.Element, path: str, row: dict[str, str] | None) -> ET.Element:
        out = ET.Element(local(element))
        for child in element:
            name = local(child)
            key = f"{path}/{name}" if path else name
            if child.tag in repeated:
                if child.get(template) is None:
                    continue  # pyxform's first blank row: the rows given (or none) replace it
                for given in repeats.get(name, []):
                    out.append(copy(child, key, given))
            elif len(child):
                out.append(copy(child, key, row))
            else:
                leaf = ET.SubElement(out, name)
                leaf.text = row.get(name, "") if row is not None else answers.get(key, "")
        return out

    data = copy(source, "", None)
    data.set("id", source.get("id") or "")
    if source.get("version"):
        data.set("version", source.get("version") or "")
    found = data.find("meta/instanceID")
    if found is None:
        raise ValueError("the form asks for meta/instanceID")
    found.text = f"uuid:{instance_id}"
    return ET.tostring(data, encoding="utf-8", xml_declaration=True)
