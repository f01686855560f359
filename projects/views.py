"""Staff pages of projects: the list and one project (its life cycle, plan and history)."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.navigation import navigation

from . import access as doors
from .access import get_project_for_user, get_projects_for_user, projects_of


def _context(access, **extra) -> dict[str, Any]:
    return {"partnership": access.partnership, "nav": navigation(access), **extra}


@login_required
def project_list(request, slug) -> HttpResponse:
    """The partnership's projects, with their step and progress (readers)."""
    partnership, access = get_projects_for_user(request.user, slug)
    rows = projects_of(partnership).prefetch_related("results")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request, "projects/list.html", _context(access, page=page, can_create=doors.can_create(access))
    )


@login_required
def project_detail(request, slug, pk) -> HttpResponse:
    """One project: what it serves, its life cycle (dated and signed), milestones and activities."""
    project, access = get_project_for_user(request.user, slug, pk)
    context = _context(
        access,
        project=project,
        today=timezone.localdate(),
        milestones=project.milestones.all(),
        history=project.stage_changes.all(),
        activities=project.activities.order_by("-date"),
        can_manage=doors.can_manage(access, project),
    )
    return render(request, "projects/detail.html", context)
