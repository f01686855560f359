"""The indicators' pages: the dashboard (figures computed by the engine, disclosed by viewer) and the
coordinator's definition of an indicator (its values are recomputed at once)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.locking import Stale, refuse
from core.navigation import navigation
from partnerships.access import get_partnership_for_user
from programme.access import can_define_indicators, get_indicator_for_user
from programme.forms import IndicatorForm
from programme.models import Indicator, Result

from . import actions, charts, figures


@login_required
def dashboard(request, slug) -> HttpResponse:
    """Per result, each indicator's target vs actual by sex for a year and the programme, with a chart
    over the years and its data table. Small cells are hidden outside the holding service."""
    partnership, access = get_partnership_for_user(request.user, slug)
    year = figures.chosen_year(request.GET.get("annee"), partnership)
    blocks = charts.add_charts(figures.partnership_tables(partnership, access, year))
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "year": year,
        "years": partnership.years,
        "blocks": blocks,
        "can_define": can_define_indicators(access),
    }
    return render(request, "indicators/dashboard.html", context)


@login_required
def indicator_edit(request, slug, code=None) -> HttpResponse:
    """The coordinator defines an indicator (source, filters, publication); values are recomputed at once."""
    if code is None:
        partnership, access = get_partnership_for_user(request.user, slug)
        if not can_define_indicators(access):
            raise Http404
        indicator = Indicator(result=Result.objects.filter(partnership=partnership).first())
    else:
        partnership, access, indicator = get_indicator_for_user(request.user, slug, code, to_edit=True)
    form = IndicatorForm(request.POST or None, instance=indicator, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = actions.save_indicator(form.save(commit=False), form.cleaned_data["version"])
        except Stale:
            refuse(form, Indicator.objects.get(pk=indicator.pk))
        except ValidationError as error:  # a filter its source does not read (engine.definition_errors)
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Indicateur enregistré ; ses valeurs sont recalculées."))
            return redirect("indicators:dashboard", slug=slug)
    context = {"partnership": partnership, "nav": navigation(access), "form": form, "indicator": indicator}
    return render(request, "indicators/indicator_form.html", context, status=409 if form.stale else 200)
