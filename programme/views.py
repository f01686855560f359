from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import render

from core.navigation import navigation
from partnerships.access import get_partnership_for_user

from .models import Indicator, Result


@login_required
def framework(request, slug):
    """The results framework: the outcome, R1–R5, each indicator with its targets by sex and period."""
    partnership, access = get_partnership_for_user(request.user, slug)
    results = Result.objects.filter(partnership=partnership).prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.prefetch_related("targets"))
    )
    context = {
        "partnership": partnership,
        "nav": navigation(access),
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
