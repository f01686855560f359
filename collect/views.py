"""The structure staff's pages of offline collection."""

import base64
import json
import zlib

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from core.navigation import navigation

from .access import devices_of, get_collect_for_user, get_device_for_user
from .actions import create_device, revoke_device
from .forms import DeviceForm

# B — devices.


@login_required
def index(request: HttpRequest, slug: str) -> HttpResponse:
    """Offline collection, for whoever collects for at least one structure (the coordinator, a
    structure's staff; never the listening centre): the devices of her structures, each with its last
    submission, and the way to each structure's forms."""
    partnership, access, structures = get_collect_for_user(request.user, slug)
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "structures": structures,
        "devices": devices_of(structures),
    }
    return render(request, "collect/index.html", context)


def server_url(request: HttpRequest, slug: str) -> str:
    """The address ODK Collect is given: it appends `/formList` and `/submission` itself."""
    return request.build_absolute_uri(reverse("openrosa:form_list", kwargs={"slug": slug})).removesuffix(
        "/formList"
    )


def odk_settings_qr(url: str, username: str, password: str, project: str) -> str:
    """ODK Collect's "configure with QR code": its settings JSON, zlib-compressed and base64-encoded,
    as an inline SVG QR code."""
    settings = {
        "general": {"server_url": url, "username": username, "password": password},
        "admin": {},
        "project": {"name": project},
    }
    payload = base64.b64encode(zlib.compress(json.dumps(settings).encode())).decode()
    return segno.make(payload, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff")


@sensitive_variables("password")
@login_required
def device_new(request: HttpRequest, slug: str) -> HttpResponse:
    """A device password for herself (the phone signs in as her) in one of the structures she
    collects for; shown once, on this answer only, with the server's address and the QR code."""
    partnership, access, structures = get_collect_for_user(request.user, slug)
    form = DeviceForm(request.POST or None, structures=structures)
    if request.method == "POST" and form.is_valid():
        structure = form.cleaned_data["structure"]
        device, password = create_device(request.user, structure, form.cleaned_data["label"], request.user)
        url = server_url(request, slug)
        project = f"Twiza — {structure.label}"
        context = {
            "partnership": partnership,
            "nav": navigation(access),
            "device": device,
            "password": password,
            "server_url": url,
            "qr": odk_settings_qr(url, request.user.get_username(), password, project),
        }
        return render(request, "collect/device_created.html", context)
    context = {"partnership": partnership, "nav": navigation(access), "form": form}
    return render(request, "collect/device_new.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def device_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Revokes a device of a structure she collects for (hers or a colleague's lost phone)."""
    device, _access = get_device_for_user(request.user, slug, pk)
    revoke_device(device, request.user)
    messages.success(request, _("Appareil révoqué : son mot de passe n'ouvre plus rien."))
    return redirect("collect:index", slug=slug)
