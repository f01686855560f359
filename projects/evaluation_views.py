"""A project's participatory evaluations: the list (readers) and a new one (its managers)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.navigation import navigation

from . import access as doors
from .access import get_project_for_user
from .actions import record_evaluation
from .evaluation_forms import EvaluationForm


@login_required
def evaluation_list(request, slug, pk) -> HttpResponse:
    """The project's evaluations, newest first, with who took part (readers)."""
    project, access = get_project_for_user(request.user, slug, pk)
    evaluations = project.evaluations.prefetch_related("tallies__target_group")
    context = {
        "partnership": access.partnership,
        "nav": navigation(access),
        "project": project,
        "evaluations": evaluations,
        "can_manage": doors.can_manage(access, project),
    }
    return render(request, "projects/evaluations.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_new(request, slug, pk) -> HttpResponse:
    """A new evaluation of the project: findings, lessons, follow-up and participants (managers)."""
    project, access = get_project_for_user(request.user, slug, pk, to_manage=True)
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        record_evaluation(
            project,
            date=data["date"],
            findings=data["findings"],
            lessons=data["lessons"],
            follow_up=data["follow_up"],
            by=request.user,
            tallies=form.tallies(),
        )
        return redirect("projects:evaluations", slug=slug, pk=project.pk)
    context = {"partnership": access.partnership, "nav": navigation(access), "project": project, "form": form}
    return render(request, "projects/evaluation_form.html", context)
