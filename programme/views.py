from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.navigation import navigation
from partnerships.access import get_partnership_for_user

from . import actions
from .access import (
    can_approve_figures,
    can_approve_measurement,
    can_define_indicators,
    can_edit_framework,
    can_enter_figures,
    can_import_framework,
    get_measurement_indicator_for_user,
    measurements_of,
)
from .forms import MeasurementForm, ReasonForm
from .models import Indicator, Measurement, Result


@login_required
def framework(request, slug) -> HttpResponse:
    """The results framework: the outcome, R1–R5, each indicator with its targets by sex and period."""
    partnership, access = get_partnership_for_user(request.user, slug)
    results = Result.objects.filter(partnership=partnership).prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.prefetch_related("targets"))
    )
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "can_define": can_define_indicators(access),
        "can_import": can_import_framework(access),
        "can_edit": can_edit_framework(access),
        "results": [
            {"result": result, "indicators": [_with_targets(i, partnership) for i in result.indicators.all()]}
            for result in results
        ],
        "principles": partnership.principles.all(),
    }
    return render(request, "programme/framework.html", context)


def _with_targets(indicator: Indicator, partnership) -> dict:
    """An indicator and its targets as rows: one per year (annual) or one for the programme."""
    targets = {(t.year, t.sex): t.value for t in indicator.targets.all()}
    if indicator.period == Indicator.Period.CUMULATIVE:
        periods = [(None, f"{partnership.start_year}–{partnership.end_year}")]
    else:
        periods = [(year, str(year)) for year in partnership.years]
    rows = [
        {
            "label": label,
            "F": targets.get((year, "F")),
            "M": targets.get((year, "M")),
            "T": targets.get((year, "T")),
        }
        for year, label in periods
    ]
    return {"indicator": indicator, "rows": rows}


@login_required
def measurements(request, slug, code) -> HttpResponse:
    """Manual figures of an indicator: entry, submission, approval and locks, with their history."""
    partnership, access, indicator = get_measurement_indicator_for_user(request.user, slug, code)
    may_enter, may_approve = can_enter_figures(access, indicator), can_approve_figures(access, indicator)
    form = MeasurementForm(request.POST or None, indicator=indicator)
    if request.method == "POST":
        if not may_enter:
            raise Http404
        if form.is_valid():
            try:
                actions.save_measurement(
                    indicator,
                    form.cleaned_data["year"],
                    form.cleaned_data["sex"],
                    form.cleaned_data["value"],
                    request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Chiffre enregistré en brouillon."))
                return redirect("programme:measurements", slug=slug, code=code)
    rows = list(measurements_of(indicator))
    for m in rows:  # four eyes: the approve button only for someone else than its authors
        # Read by the template only: an attribute of this page's rows, not of the model.
        m.may_approve = can_approve_measurement(access, m, request.user)  # type: ignore[attr-defined]
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "indicator": indicator,
        "form": form,
        "measurements": rows,
        "may_enter": may_enter,
        "may_approve": may_approve,
        "reason_form": ReasonForm(),
    }
    return render(request, "programme/measurements.html", context)


# Each step: who may take it ("enter" or "approve"), its action, whether it asks for a reason.
TRANSITIONS: dict[str, tuple[str, Callable[..., Any], bool]] = {
    "submit": ("enter", actions.submit_measurement, False),
    "approve": ("approve", actions.approve_measurement, False),
    "reject": ("approve", actions.reject_measurement, True),
    "reopen": ("approve", actions.reopen_measurement, True),
}


@login_required
@require_POST
def measurement_step(request, slug, code, pk, step) -> HttpResponse:
    """Moves a manual figure one step: submit, approve, reject (with reason), reopen (with reason)."""
    partnership, access, indicator = get_measurement_indicator_for_user(request.user, slug, code)
    if step not in TRANSITIONS:
        raise Http404
    needs, action, with_reason = TRANSITIONS[step]
    allowed = (
        can_enter_figures(access, indicator) if needs == "enter" else can_approve_figures(access, indicator)
    )
    measurement = Measurement.objects.filter(indicator=indicator, pk=pk).first()
    if measurement is None or not allowed:
        raise Http404
    try:
        if with_reason:
            reason = ReasonForm(request.POST)
            if not reason.is_valid():
                raise ValidationError(_("Indiquez un motif."))
            action(measurement, request.user, reason.cleaned_data["reason"])
        else:
            action(measurement, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("C'est fait."))
    return redirect("programme:measurements", slug=slug, code=code)
