"""An indicator's definition and baseline in the results framework's editor (issue 16, item 3):
saved through `actions.save_indicator`, which refuses what the engine cannot count and recomputes the
values at once. Who may: programme.access.can_edit_framework (the coordinator, or the partnership's
creator before a coordinator exists)."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.locking import Stale, refuse
from core.navigation import navigation
from programme.access import get_framework_for_user, get_indicator_to_edit
from programme.editing_forms import CODE, CODE_MESSAGE
from programme.forms import IndicatorForm
from programme.models import Indicator, Result

from . import actions
from .forms import add_definition_errors


class DefinitionForm(IndicatorForm):
    """IndicatorForm with the baseline, and the engine's own check of the filters (so that a filter
    the source does not read is shown on its field, not only refused by the action)."""

    class Meta(IndicatorForm.Meta):
        fields = [*IndicatorForm.Meta.fields, "baseline", "baseline_year"]
        labels = {
            **IndicatorForm.Meta.labels,
            "baseline": gettext_lazy("Valeur de référence"),
            "baseline_year": gettext_lazy("Année de référence"),
        }

    def clean_code(self) -> str:
        code = super().clean_code()
        if not CODE.fullmatch(code):
            raise forms.ValidationError(CODE_MESSAGE)
        return code

    def clean_baseline_year(self) -> int | None:
        year = self.cleaned_data.get("baseline_year")
        if year is not None and not 1990 <= year <= self.partnership.end_year:
            raise forms.ValidationError(
                gettext_lazy("L'année de référence est au plus tard la dernière année du programme.")
            )
        return year

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("baseline") is not None and cleaned.get("baseline_year") is None:
            self.add_error("baseline_year", gettext_lazy("Indiquez l'année de la valeur de référence."))
        return cleaned

    def _post_clean(self) -> None:
        super()._post_clean()
        add_definition_errors(self)


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
    try:
        actions.delete_indicator(indicator)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Indicateur supprimé."))
    return redirect("programme:framework_edit", slug=slug)
