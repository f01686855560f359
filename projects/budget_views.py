"""Budget pages: a project's lines and spendings (with the forms of whoever manages it), and the
partnership's budget against spending by project, result, funder and year. Readers and managers per
projects/access.py; a write by anyone else is a 404."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.navigation import navigation

from . import access as doors
from . import actions
from .access import get_project_for_user, get_projects_for_user
from .budget import partnership_budget, project_budget
from .budget_forms import BudgetLineForm, SpendingForm


def _project_page(request, project, access, line_form=None, spending_form=None) -> HttpResponse:
    manages = doors.can_change(access, project)
    context: dict[str, Any] = {
        "partnership": access.partnership,
        "nav": navigation(access),
        "project": project,
        "budget": project_budget(project),
        "can_manage": manages,
    }
    if manages:
        context["line_form"] = line_form or BudgetLineForm(prefix="ligne", project=project)
        context["spending_form"] = spending_form or SpendingForm(
            prefix="depense", lines=project.budget_lines.all()
        )
    return render(request, "projects/budget.html", context)


@login_required
def project_budget_page(request, slug, pk) -> HttpResponse:
    """A project's budget lines, what was spent against each (in its currency and in MAD) and what
    remains; the forms to add a line or record a spending for whoever manages the project."""
    project, access = get_project_for_user(request.user, slug, pk)
    return _project_page(request, project, access)


@login_required
@require_POST
def budget_line_add(request, slug, pk) -> HttpResponse:
    """A new budget line (managers of the project; 404 for anyone else)."""
    project, access = get_project_for_user(request.user, slug, pk, to_manage=True)
    form = BudgetLineForm(request.POST, prefix="ligne", project=project)
    if not form.is_valid():
        return _project_page(request, project, access, line_form=form)
    line = form.save(commit=False)
    line.project = project
    line.save()
    messages.success(request, _("Ligne budgétaire ajoutée."))
    return redirect("projects:budget", slug=slug, pk=project.pk)


@login_required
@require_POST
def spending_add(request, slug, pk) -> HttpResponse:
    """A spending against one of the project's lines, through actions.record_spending: an overrun
    without its reason is refused, its message shown and nothing recorded."""
    project, access = get_project_for_user(request.user, slug, pk, to_manage=True)
    form = SpendingForm(request.POST, prefix="depense", lines=project.budget_lines.all())
    if form.is_valid():
        try:
            actions.record_spending(form.cleaned_data["line"], by=request.user, **form.action_kwargs())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Dépense enregistrée."))
            return redirect("projects:budget", slug=slug, pk=project.pk)
    return _project_page(request, project, access, spending_form=form)


@login_required
def partnership_budget_page(request, slug) -> HttpResponse:
    """The partnership's budget against spending in MAD, by project, result, funder and year, for
    the whole programme or one year (`?annee=`)."""
    partnership, access = get_projects_for_user(request.user, slug)
    year = partnership.asked_year(request.GET.get("annee"))
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "years": partnership.years,
        "year": year,
        "budget": partnership_budget(partnership, year),
    }
    return render(request, "projects/budgets.html", context)
