"""The results framework's editor (issue 16, item 3): whoever sets the partnership up writes its
outcome, results and targets here, without the Django admin. Indicator definitions and baselines are
saved in indicators/editing.py, through the engine (their values are recomputed at once)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.deleting import delete_then_back
from core.locking import Stale, refuse
from core.navigation import navigation

from . import actions
from .access import get_framework_for_user, get_indicator_to_edit, get_result_to_edit
from .editing_forms import ResultForm, TargetsForm
from .models import Indicator, Result


@login_required
def framework_edit(request, slug) -> HttpResponse:
    """The framework as its editor sees it: each result with its indicators, and what to change."""
    partnership, access = get_framework_for_user(request.user, slug)
    results = Result.objects.filter(partnership=partnership).prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.prefetch_related("targets"))
    )
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "results": results,
        "has_outcome": any(r.level == Result.Level.OUTCOME for r in results),
    }
    return render(request, "programme/framework_edit.html", context)


@login_required
def result_edit(request, slug, code=None) -> HttpResponse:
    """Adds the outcome or a result, or changes one."""
    if code is None:
        partnership, access = get_framework_for_user(request.user, slug)
        result = Result(partnership=partnership)
        title = _("Nouveau résultat")
    else:
        result, access = get_result_to_edit(request.user, slug, code)
        partnership = result.partnership
        title = _("Résultat %(code)s") % {"code": result.code}
    form = ResultForm(request.POST or None, instance=result, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Résultat enregistré."))
        return redirect("programme:framework_edit", slug=slug)
    context = {"partnership": partnership, "nav": navigation(access), "form": form, "title": title}
    return render(request, "partnerships/setup_form.html", context)


@login_required
@require_POST
def result_delete(request, slug, code) -> HttpResponse:
    """Deletes a result that holds no indicator and no activity; otherwise says what holds it."""
    result, _access = get_result_to_edit(request.user, slug, code)
    return delete_then_back(
        request,
        lambda: actions.delete_result(result),
        _("Résultat supprimé."),
        "programme:framework_edit",
        slug=slug,
    )


@login_required
def targets_edit(request, slug, code) -> HttpResponse:
    """An indicator's targets by sex, for each year (annual) or the whole programme (cumulative)."""
    indicator, access = get_indicator_to_edit(request.user, slug, code)
    form = TargetsForm(request.POST or None, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_targets(indicator, form.targets(), form.cleaned_data["version"])
        except Stale:
            refuse(form, Indicator.objects.get(pk=indicator.pk))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Cibles enregistrées."))
            return redirect("programme:framework_edit", slug=slug)
    context = {
        "partnership": indicator.result.partnership,
        "nav": navigation(access),
        "form": form,
        "title": _("Cibles de %(code)s") % {"code": indicator.code},
        "intro": _(
            "Une case vide : pas de cible. Les cibles d'un indicateur cumulé valent pour tout le programme."
        ),
    }
    return render(request, "partnerships/setup_form.html", context, status=409 if form.stale else 200)
