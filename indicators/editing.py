"""An indicator's definition and baseline in the results framework's editor (issue 16, item 3):
saved through `actions.save_indicator`, which refuses what the engine cannot count and recomputes the
values at once. Who may: programme.access.can_edit_framework (the coordinator, or the partnership's
creator before a coordinator exists)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.deleting import delete_then_back
from core.locking import Stale, refuse
from core.navigation import navigation
from programme.access import get_framework_for_user, get_indicator_to_edit
from programme.models import Indicator, Result

from . import actions
from .forms import DefinitionForm


@login_required
def indicator_define(request, slug, code=None) -> HttpResponse:
    """Adds an indicator to the framework, or changes one: source, filters, period, baseline."""
    if code is None:
        partnership, access = get_framework_for_user(request.user, slug)
        indicator = Indicator(result=Result.objects.filter(partnership=partnership).first())
    else:
        indicator, access = get_indicator_to_edit(request.user, slug, code)
        partnership = indicator.result.partnership
    form = DefinitionForm(request.POST or None, instance=indicator, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = actions.save_indicator(form.save(commit=False), form.cleaned_data["version"])
        except Stale:
            refuse(form, Indicator.objects.get(pk=indicator.pk))
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Indicateur enregistré ; ses valeurs sont recalculées."))
            return redirect("programme:framework_edit", slug=slug)
    title = _("Indicateur %(code)s") % {"code": indicator.code} if indicator.pk else _("Nouvel indicateur")
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "form": form,
        "title": title,
        "intro": _(
            "Les valeurs sont recalculées depuis les présences, comptages et activités dès "
            "l'enregistrement. Les filtres vides ne filtrent pas."
        ),
    }
    return render(request, "partnerships/setup_form.html", context, status=409 if form.stale else 200)


@login_required
@require_POST
def indicator_delete(request, slug, code) -> HttpResponse:
    """Deletes an indicator without figures entered by hand; otherwise says why not."""
    indicator, _access = get_indicator_to_edit(request.user, slug, code)
    return delete_then_back(
        request,
        lambda: actions.delete_indicator(indicator),
        _("Indicateur supprimé."),
        "programme:framework_edit",
        slug=slug,
    )
