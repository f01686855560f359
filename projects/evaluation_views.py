"""A project's participatory evaluations: the list (readers) and a new one (its managers)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core import disclosure
from core.navigation import navigation

from . import access as doors
from .access import get_project_for_user
from .actions import record_evaluation
from .evaluation_forms import EvaluationForm
from .models import Evaluation


def participants(evaluation: Evaluation, *, protected: bool) -> dict:
    """Who took part in an evaluation as a table: {"rows": [(target group, [F, M, total])], "total":
    [F, M, total]} of Cells. For a viewer who sees no individual (the partner commune, the platform
    administrator) small counts go through the disclosure rule, the whole table at once
    (docs/security.md 8), as an activity's participants do."""
    values: dict = {}
    groups = []
    for tally in evaluation.tallies.all():
        if tally.target_group not in groups:
            groups.append(tally.target_group)
            values.update({(tally.target_group.pk, s): 0 for s in ("F", "M")})
        values[(tally.target_group.pk, tally.sex)] = tally.count
    for g in groups:
        values[(g.pk, "T")] = values[(g.pk, "F")] + values[(g.pk, "M")]
    for s in ("F", "M", "T"):
        values[("all", s)] = sum(values[(g.pk, s)] for g in groups)
    if protected:
        relations = [disclosure.total([(g.pk, "F"), (g.pk, "M")], (g.pk, "T")) for g in groups]
        relations += [disclosure.total([(g.pk, s) for g in groups], ("all", s)) for s in ("F", "M", "T")]
        cells = disclosure.protect(values, relations, disclosure.THRESHOLDS["registry"])
    else:
        cells = {key: disclosure.Cell(v) for key, v in values.items()}
    return {
        "rows": [(g, [cells[(g.pk, s)] for s in ("F", "M", "T")]) for g in groups],
        "total": [cells[("all", s)] for s in ("F", "M", "T")],
    }


@login_required
def evaluation_list(request, slug, pk) -> HttpResponse:
    """The project's evaluations, newest first, with who took part (readers; small counts hidden
    from those who see no individual)."""
    project, access = get_project_for_user(request.user, slug, pk)
    evaluations = list(project.evaluations.prefetch_related("tallies__target_group"))
    for evaluation in evaluations:
        evaluation.participants = participants(evaluation, protected=not access.sees_individuals)  # type: ignore[attr-defined]
    context = {
        "partnership": access.partnership,
        "nav": navigation(access),
        "project": project,
        "evaluations": evaluations,
        "can_manage": doors.can_change(access, project),
    }
    return render(request, "projects/evaluations.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_new(request, slug, pk) -> HttpResponse:
    """A new evaluation of the project: findings, lessons, follow-up and participants (managers)."""
    project, access = get_project_for_user(request.user, slug, pk, to_manage=True)
    form = EvaluationForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record_evaluation(
                project,
                date=data["date"],
                findings=data["findings"],
                lessons=data["lessons"],
                follow_up=data["follow_up"],
                by=request.user,
                tallies=form.tallies(),
            )
        except ValidationError as error:  # the same evaluation twice (a double tap), the date
            form.add_error(None, error)
        else:
            return redirect("projects:evaluations", slug=slug, pk=project.pk)
    context = {"partnership": access.partnership, "nav": navigation(access), "project": project, "form": form}
    return render(request, "projects/evaluation_form.html", context)
