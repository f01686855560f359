"""The forms Twiza makes, as the structure's staff see them: the XLSForm to download (for teams that
deploy it in KoboToolbox or ODK Central) and the page where they choose what the phone shows of
each person."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.navigation import navigation

from . import actions, xlsforms
from .access import get_collect_for_user
from .models import CollectSettings, FormKind
from .settings_forms import CollectSettingsForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _structure(request, slug: str, code: str):
    """The partnership, her access and one structure she collects for; 404 otherwise."""
    partnership, access, structures = get_collect_for_user(request.user, slug)
    structure = structures.filter(code=code).first()
    if structure is None:
        raise Http404
    return partnership, access, structure


@login_required
def xlsform(request, slug, structure, kind) -> HttpResponse:
    """The current XLSForm of one of the structure's forms; whoever collects for it."""
    _partnership, _access, found = _structure(request, slug, structure)
    if kind not in xlsforms.forms_for(found):
        raise Http404
    version = xlsforms.current(found, kind)
    response = HttpResponse(bytes(version.xlsform), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{version.form_id}-v{version.version}.xlsx"'
    return response


@login_required
def collect_settings(request, slug, structure) -> HttpResponse:
    """The coordinator or the structure's staff choose what the phone shows of each person."""
    partnership, access, found = _structure(request, slug, structure)
    instance = CollectSettings.objects.filter(structure=found).first() or CollectSettings(structure=found)
    form = CollectSettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        actions.save_collect_settings(found, form.cleaned_data["person_label"])
        messages.success(
            request, _("Réglages enregistrés : la prochaine mise à jour des formulaires les suit.")
        )
        return redirect("collect:settings", slug=slug, structure=found.code)
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "form": form,
        "structure": found,
        "forms": [(kind, FormKind(kind).label) for kind in xlsforms.forms_for(found)],
    }
    return render(request, "collect/settings.html", context)
