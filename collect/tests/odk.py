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
