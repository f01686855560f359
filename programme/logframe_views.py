"""The XLSX logframe's pages: the template and the export (for whoever reads the framework), and the
import (upload → dry run → confirm) for whoever sets the framework up (programme/access.py)."""

import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.navigation import navigation
from partnerships.access import get_partnership_for_user

from . import actions, logframe
from .access import get_framework_import_for_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PLAN_MAX_AGE = 3600  # seconds between the dry run and the confirmation


class LogframeUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Cadre logique (XLSX)"))

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Choisissez un fichier .xlsx."))
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("Fichier trop volumineux pour un cadre logique (5 Mo au plus)."))
        return upload


def _xlsx(partnership, *, empty: bool, name: str) -> HttpResponse:
    out = io.BytesIO()
    logframe.write(partnership, out, empty=empty)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}-{partnership.slug}.xlsx"'
    return response


@login_required
def template(request, slug) -> HttpResponse:
    """The empty logframe: its sheets, French headers, a Lisez-moi and the lists of allowed values."""
    partnership, _access = get_partnership_for_user(request.user, slug)
    return _xlsx(partnership, empty=True, name="cadre-logique-modele")


@login_required
def export(request, slug) -> HttpResponse:
    """The partnership's framework in the template's format (it imports back identically)."""
    partnership, _access = get_partnership_for_user(request.user, slug)
    return _xlsx(partnership, empty=False, name="cadre-logique")


def _salt(partnership, user) -> str:
    return f"programme.logframe:{partnership.pk}:{user.pk}"


@login_required
def upload(request, slug) -> HttpResponse:
    """Upload → dry run (what will be created, every error by sheet and row) → confirm → created.

    The dry run hands the file's rows back signed (for this partnership and user, one hour); the
    confirmation checks them again against the database as it is then, and writes all or nothing."""
    partnership, access = get_framework_import_for_user(request.user, slug)
    empty = actions.framework_is_empty(partnership)
    form = LogframeUploadForm()
    context = {"partnership": partnership, "nav": navigation(access), "empty": empty, "form": form}
    if request.method == "POST" and empty:
        if "plan" in request.POST:
            return _confirm(request, partnership)
        form = context["form"] = LogframeUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                sheets = logframe.read_upload(form.cleaned_data["file"])
            except logframe.UnreadableLogframe as error:
                form.add_error("file", str(error))
            else:
                plan = logframe.check(partnership, sheets)
                context.update(plan=plan, filename=form.cleaned_data["file"].name)
                if not plan.problems:
                    context["token"] = signing.dumps(
                        sheets, salt=_salt(partnership, request.user), compress=True
                    )
                return render(request, "programme/logframe_dry_run.html", context)
    return render(request, "programme/logframe_import.html", context)


def _confirm(request, partnership) -> HttpResponse:
    try:
        sheets = signing.loads(
            request.POST["plan"], salt=_salt(partnership, request.user), max_age=PLAN_MAX_AGE
        )
    except signing.BadSignature:
        messages.error(request, _("Cet essai à blanc a expiré : déposez le fichier à nouveau."))
        return redirect("programme:logframe_import", slug=partnership.slug)
    plan = logframe.check(partnership, sheets)
    try:
        counts = actions.import_framework(partnership, plan)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("programme:logframe_import", slug=partnership.slug)
    messages.success(
        request,
        _(
            "Cadre de résultats importé : %(results)s résultat(s), %(indicators)s indicateur(s), "
            "%(targets)s cible(s), %(principles)s principe(s)."
        )
        % counts,
    )
    return redirect("programme:framework", slug=partnership.slug)
