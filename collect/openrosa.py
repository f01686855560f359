"""OpenRosa 1.0, as ODK Collect speaks it: the form list, each form and its manifest and media, and
the submission. No session and no CSRF: every request signs in with HTTPS Basic, the user's username
and a device password (collect/models.py Device), checked at each request by
`collect.access.device_for_password`. ODK Collect first asks without credentials, gets the challenge
(401, `WWW-Authenticate: Basic`), and asks again with them: only wrong passwords count towards the
throttle (core/throttle.py), per client and per username from a client, as django-axes counts failed
logins.

A device sees its own structure's forms only. URLs are absolute, made from the request, so behind the
proxy they carry https (SECURE_PROXY_SSL_HEADER). Every answer, 401 included, carries
`X-OpenRosa-Version: 1.0`.
"""

import base64
import binascii
import functools
import hashlib
import xml.etree.ElementTree as ET  # noqa: S405 - builds XML, never parses any
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from core import throttle
from core.proxies import client_ip

from . import intake, xlsforms
from .access import device_for_password, password_was_given
from .actions import device_seen
from .models import Device, FormVersion, Submission

VERSION = "1.0"
# A submission is one small XML file (attachments are refused): 1 MB is far more than a form holds.
ACCEPT_CONTENT_LENGTH = 1_000_000
XML_FIELD = "xml_submission_file"
XFORMS_LIST = "http://openrosa.org/xforms/xformsList"
MANIFEST = "http://openrosa.org/xforms/xformsManifest"
RESPONSE = "http://openrosa.org/http/response"


def _xml(root: ET.Element, status: int = 200) -> HttpResponse:
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def _message(text: str, status: int) -> HttpResponse:
    """An `OpenRosaResponse` whose message ODK Collect shows to the person holding the phone."""
    root = ET.Element("OpenRosaResponse", xmlns=RESPONSE)
    ET.SubElement(root, "message", nature="submit_success" if status < 300 else "error").text = text
    response = _xml(root, status)
    response["X-OpenRosa-Accept-Content-Length"] = str(ACCEPT_CONTENT_LENGTH)
    return response


def _challenge(text: str) -> HttpResponse:
    response = _message(text, 401)
    response["WWW-Authenticate"] = 'Basic realm="Twiza"'
    return response


def _credentials(request: HttpRequest) -> tuple[str, str] | None:
    """(username, password) from `Authorization: Basic …`; None when there is none; ("", "") when it
    cannot be read (counted as a wrong password)."""
    kind, _space, encoded = request.headers.get("Authorization", "").partition(" ")
    if kind.lower() != "basic":
        return None
    try:
        username, colon, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    return (username, password) if colon else ("", "")


def _who(request: HttpRequest, username: str) -> str:
    """A username from a client, as django-axes locks out (AXES_LOCKOUT_PARAMETERS): a stranger
    guessing from elsewhere never locks the phone out."""
    return f"{username}|{client_ip(request)}"


def _throttled(request: HttpRequest, username: str) -> bool:
    return throttle.spent(request, "device_password") or throttle.spent(
        request, "device_password_user", who=_who(request, username)
    )


def device_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The door of every OpenRosa view: the Basic challenge, the throttle, the device, the header."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapped(request: HttpRequest, slug: str, **kwargs) -> HttpResponse:
        credentials = _credentials(request)
        if credentials is None:
            response = _challenge(
                _("Identifiez-vous avec votre nom d'utilisateur et le mot de passe de l'appareil.")
            )
        elif _throttled(request, credentials[0]):
            response = _challenge(_("Trop de mots de passe erronés : réessayez dans une demi-heure."))
        elif (device := device_for_password(slug, *credentials)) is None:
            if not password_was_given(slug, *credentials):
                throttle.allow(request, "device_password")
                throttle.allow(request, "device_password_user", who=_who(request, credentials[0]))
            response = _challenge(
                _("Nom d'utilisateur ou mot de passe de l'appareil refusé (révoqué, expiré ou erroné).")
            )
        else:
            device_seen(device)
            response = view(request, device, **kwargs)
        response["X-OpenRosa-Version"] = VERSION
        # The forms, and `personnes.csv` above all, hold the structure's people: never kept by a cache.
        response["Cache-Control"] = "no-store"
        return response

    return wrapped


def _version(device: Device, form_id: str, version: str) -> FormVersion:
    """A version of one of the device's structure's forms; 404 for any other structure's."""
    return get_object_or_404(FormVersion, structure=device.structure, form_id=form_id, version=version)


def _form_url(request: HttpRequest, name: str, form: FormVersion, **kwargs) -> str:
    path = reverse(
        f"openrosa:{name}",
        kwargs={"slug": form.partnership.slug, "form_id": form.form_id, "version": form.version, **kwargs},
    )
    return request.build_absolute_uri(path)


@device_view
def form_list(request: HttpRequest, device: Device) -> HttpResponse:
    """The current version of each form of the device's structure (collect/xlsforms.py makes them)."""
    root = ET.Element("xforms", xmlns=XFORMS_LIST)
    for kind in xlsforms.forms_for(device.structure):
        form = xlsforms.current(device.structure, kind)
        entry = ET.SubElement(root, "xform")
        ET.SubElement(entry, "formID").text = form.form_id
        ET.SubElement(entry, "name").text = f"{form.get_kind_display()} — {device.structure.label}"
        ET.SubElement(entry, "version").text = form.version
        ET.SubElement(entry, "hash").text = f"md5:{form.xform_md5}"
        ET.SubElement(entry, "downloadUrl").text = _form_url(request, "form", form)
        ET.SubElement(entry, "manifestUrl").text = _form_url(request, "manifest", form)
    return _xml(root)


@device_view
def form(request: HttpRequest, device: Device, form_id: str, version: str) -> HttpResponse:
    """The XForm of one version, as pyxform made it from the XLSForm."""
    return HttpResponse(
        _version(device, form_id, version).xform.encode(), content_type="text/xml; charset=utf-8"
    )


@device_view
def manifest(request: HttpRequest, device: Device, form_id: str, version: str) -> HttpResponse:
    """The form's one media file: the structure's people (`personnes.csv`), as they are now."""
    form = _version(device, form_id, version)
    root = ET.Element("manifest", xmlns=MANIFEST)
    media = ET.SubElement(root, "mediaFile")
    ET.SubElement(media, "filename").text = xlsforms.MEDIA
    digest = hashlib.md5(xlsforms.people_csv(device.structure), usedforsecurity=False).hexdigest()
    ET.SubElement(media, "hash").text = f"md5:{digest}"
    ET.SubElement(media, "downloadUrl").text = _form_url(request, "media", form, filename=xlsforms.MEDIA)
    return _xml(root)


@device_view
def media(request: HttpRequest, device: Device, form_id: str, version: str, filename: str) -> HttpResponse:
    """`personnes.csv`: the people of the device's structure (never a listening centre's client)."""
    _version(device, form_id, version)
    if filename != xlsforms.MEDIA:
        return HttpResponse(status=404)
    return HttpResponse(xlsforms.people_csv(device.structure), content_type="text/csv; charset=utf-8")


@device_view
def submission(request: HttpRequest, device: Device) -> HttpResponse:
    """HEAD: 204, saying how large a submission may be. POST (multipart, `xml_submission_file`):
    collect/intake.py applies it once (201), keeps it for review (202), or refuses it (nothing
    kept). Any other file (a photo…) is refused: no form of Twiza asks for one."""
    if request.method == "HEAD":
        response = HttpResponse(status=204)
        response["X-OpenRosa-Accept-Content-Length"] = str(ACCEPT_CONTENT_LENGTH)
        return response
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "HEAD, POST"})
    others = [name for name in request.FILES if name != XML_FIELD]
    if others:
        return _message(
            _(
                "Les pièces jointes (photos, fichiers) ne sont pas acceptées : rien n'a été gardé de cet envoi."
            ),
            400,
        )
    xml = request.FILES.get(XML_FIELD)
    if xml is None:
        return _message(_("L'envoi ne contient pas de fichier « xml_submission_file »."), 400)
    if (xml.size or 0) > ACCEPT_CONTENT_LENGTH:
        return _message(_("Le fichier envoyé est trop volumineux."), 413)
    try:
        received = intake.receive_xml(device, xml.read())
    except intake.Refused as refused:
        return _message(refused.message, refused.status)
    return _received(received.submission, received.created)


def _received(submission: Submission, created: bool) -> HttpResponse:
    if submission.status == Submission.Status.APPLIED:
        if created:
            return _message(_("Envoi reçu et enregistré."), 201)
        return _message(_("Cet envoi avait déjà été reçu : rien n'a été ajouté."), 201)
    if submission.status == Submission.Status.WAITING:
        return _message(_("Envoi reçu : il sera enregistré quand la structure l'aura revu."), 202)
    # Rejected at review: the phone has nothing more to send, so it is told it was received.
    return _message(_("Cet envoi a été rejeté à la revue : rien n'en a été enregistré."), 202)
