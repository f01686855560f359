"""A client that speaks OpenRosa 1.0 as ODK Collect does, over Django's test client.

Like ODK Collect: every request carries `X-OpenRosa-Version: 1.0`, a `Date` and ODK Collect's
`User-Agent`; the first request goes without credentials, and only after the server's Basic
challenge (401, `WWW-Authenticate: Basic …`) are they sent, on that request again and on every later
one; a submission is a `HEAD` on the submission URL, then a multipart `POST` whose XML is the part
`xml_submission_file` (a file with its name and `text/xml`).
"""

import base64
import xml.etree.ElementTree as ET  # noqa: S405 - our own server's answers, in tests
from urllib.parse import urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.http import http_date

USER_AGENT = "org.odk.collect.android/v2024.3.1 Dalvik/2.1.0 (Linux; U; Android 13)"
NS = {
    "list": "http://openrosa.org/xforms/xformsList",
    "manifest": "http://openrosa.org/xforms/xformsManifest",
    "response": "http://openrosa.org/http/response",
}


class OdkCollect:
    def __init__(self, server_url: str, username: str, password: str, **extra) -> None:
        self.server_url = server_url.rstrip("/")
        self.username = username
        self.password = password
        self.client = Client()
        self.challenged = False
        self.extra = extra  # e.g. HTTP_X_FORWARDED_PROTO, as a proxy would add
        self.responses: list = []  # every answer, the challenges included

    def _headers(self, authorised: bool) -> dict:
        headers = {"X-OpenRosa-Version": "1.0", "Date": http_date(), "User-Agent": USER_AGENT}
        if authorised:
            token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        return headers

    def request(self, method: str, url: str, **kwargs):
        """Sends once; after the Basic challenge, again with the credentials (and from then on with
        them first, as ODK Collect remembers the server asks for them)."""
        response = self._send(method, url, **kwargs)
        if (
            response.status_code == 401
            and not self.challenged
            and response.get("WWW-Authenticate", "").startswith("Basic")
        ):
            self.challenged = True
            response = self._send(method, url, **kwargs)
        return response

    def _send(self, method: str, url: str, **kwargs):
        secure = urlsplit(url).scheme == "https"
        response = getattr(self.client, method)(
            url, headers=self._headers(self.challenged), secure=secure, **self.extra, **kwargs
        )
        self.responses.append(response)
        return response

    def form_list(self):
        return self.request("get", f"{self.server_url}/formList")

    def get(self, url: str):
        return self.request("get", url)

    def submit(self, xml: bytes, attachments: dict | None = None, name: str = "submission.xml"):
        """HEAD, then the multipart POST (only if the HEAD said 204, as ODK Collect does)."""
        url = f"{self.server_url}/submission"
        head = self.request("head", url)
        if head.status_code != 204:
            return head
        data = {"xml_submission_file": SimpleUploadedFile(name, xml, content_type="text/xml")}
        for field, (filename, content, kind) in (attachments or {}).items():
            data[field] = SimpleUploadedFile(filename, content, content_type=kind)
        return self.request("post", url, data=data)


def parse(response) -> ET.Element:
    """The XML body of an answer (an exception if it is not XML)."""
    return ET.fromstring(response.content)  # noqa: S314 - our own server's answer


def message(response) -> str:
    """The text of an OpenRosaResponse."""
    return parse(response).findtext("response:message", namespaces=NS) or ""


XFORMS = "http://www.w3.org/2002/xforms"
JAVAROSA = "http://openrosa.org/javarosa"


def filled(
    xform: str | bytes, answers: dict[str, str], instance_id: str, **repeats: list[dict[str, str]]
) -> bytes:
    """The instance ODK Collect sends for `xform`: its primary instance (root, `id`, `version`), each
    leaf `group/field` answered from `answers` (left empty otherwise), each repeat's rows made from
    its template (`comptages=[{"public": "migrants", "femmes": "3"}]`), and `meta/instanceID` as
    `uuid:…`. ODK Collect writes the elements without the XForm's namespace."""
    html = ET.fromstring(xform)  # noqa: S314 - our own server's form
    primary = html.find(f".//{{{XFORMS}}}model/{{{XFORMS}}}instance")
    assert primary is not None and len(primary), "an XForm has a primary instance"
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
    assert found is not None, "the form asks for meta/instanceID"
    found.text = f"uuid:{instance_id}"
    return ET.tostring(data, encoding="utf-8", xml_declaration=True)
