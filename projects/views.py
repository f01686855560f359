"""Staff pages of projects: the list, one project (its life cycle, plan and history), a new project,
its edit, its steps, milestones and partners."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.locking import Stale, refuse, save_edit
from core.navigation import navigation

from . import access as doors
from . import actions
from .access import get_project_for_user, get_projects_for_user, projects_of
from .forms import LINKS, MilestoneDoneForm, MilestoneForm, PartnerForm, ProjectForm, StageForm
from .models import Project, Stage


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
    """One project: what it serves, its life cycle (dated and signed) and the steps still missing,
    milestones (the late ones said), partners and activities; the forms of who manages it."""
    project, access = get_project_for_user(request.user, slug, pk)
    return render(request, "projects/detail.html", _detail_context(access, project))


def _detail_context(access, project, **forms) -> dict[str, Any]:
    """What the project's page shows; the forms of who manages it (bound ones, after an error)."""
    today = timezone.localdate()
    manage = doors.can_change(access, project)
    ahead = [s for s in actions.next_stages(project) if s != Stage.ABANDONED]
    context = _context(
        access,
        project=project,
        today=today,
        milestones=[(m, m.late(today)) for m in project.milestones.all()],
        history=project.stage_changes.all(),
        activities=project.activities.order_by("-date"),
        partners=project.partners.select_related("organisation"),
        missing=[(Stage(s).label, actions.missing_for(project, s)) for s in ahead],
        can_manage=manage,
    )
    if manage:
        context.update(
            stage_form=forms.get("stage_form") or StageForm(project=project),
            milestone_form=forms.get("milestone_form") or MilestoneForm(project=project),
            partner_form=forms.get("partner_form") or PartnerForm(project=project),
            done_form=forms.get("done_form") or MilestoneDoneForm(project=project),
        )
    return context


def _refused(request, access, project, **forms) -> HttpResponse:
    """The project's page again, the refused form bound with its errors (nothing was saved)."""
    return render(request, "projects/detail.html", _detail_context(access, project, **forms))


def _form_kwargs(access) -> dict[str, Any]:
    return {
        "partnership": access.partnership,
        "structures": doors.structures_for(access),
        "own_structure_only": not access.is_coordinator,
    }


@login_required
def project_new(request, slug) -> HttpResponse:
    """A new project, at the idea step dated today (its coordination, or a structure's staff for her
    own structure)."""
    partnership, access = get_projects_for_user(request.user, slug)
    if not doors.can_create(access):
        raise Http404
    form = ProjectForm(request.POST or None, **_form_kwargs(access))
    if request.method == "POST" and form.is_valid():
        project = actions.create_project_with_links(partnership, by=request.user, **form.creation())
        messages.success(request, _("Projet créé, à l'étape « idée »."))
        return redirect("projects:detail", slug=slug, pk=project.pk)
    return render(request, "projects/form.html", _context(access, form=form))


@login_required
def project_edit(request, slug, pk) -> HttpResponse:
    """Edits a project (who manages it), with optimistic locking (core/locking.py): a save made from a
    page read before someone else's save is refused (409), both versions shown."""
    project, access = get_project_for_user(request.user, slug, pk, to_manage=True)
    form = ProjectForm(request.POST or None, instance=project, **_form_kwargs(access))
    if request.method == "POST" and form.is_valid():
        try:
            save_edit(form)
        except Stale:
            current = Project.objects.get(pk=project.pk)
            refuse(form, current, **{name: list(getattr(current, name).all()) for name in LINKS})
        else:
            messages.success(request, _("Projet enregistré."))
            return redirect("projects:detail", slug=slug, pk=project.pk)
    context = _context(access, form=form, project=project)
    return render(request, "projects/form.html", context, status=409 if form.stale else 200)


@login_required
@require_POST
def project_stage(request, slug, pk) -> HttpResponse:
    """Moves the project one step along its life cycle, or abandons it (who manages it)."""
    project, access = get_project_for_user(request.user, slug, pk, to_manage=True)
    form = StageForm(request.POST, project=project)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.move_stage(project, data["stage"], by=request.user, date=data["date"], note=data["note"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Étape enregistrée."))
            return redirect("projects:detail", slug=slug, pk=project.pk)
    return _refused(request, access, project, stage_form=form)


@login_required
@require_POST
def milestone_add(request, slug, pk) -> HttpResponse:
    project, access = get_project_for_user(request.user, slug, pk, to_manage=True)
    form = MilestoneForm(request.POST, project=project)
    if form.is_valid():
        form.save()
        messages.success(request, _("Jalon ajouté."))
        return redirect("projects:detail", slug=slug, pk=project.pk)
    return _refused(request, access, project, milestone_form=form)


@login_required
@require_POST
def milestone_done(request, slug, pk, milestone) -> HttpResponse:
    """A milestone reached: today, or the day given (not in the future, not before the project's
    first step). A milestone already reached keeps its date: a second POST changes nothing."""
    project, access = get_project_for_user(request.user, slug, pk, to_manage=True)
    reached = get_object_or_404(project.milestones, pk=milestone)
    if reached.done_on is not None:
        messages.info(
            request,
            _("Ce jalon est déjà atteint (le %(date)s) : sa date ne change plus.")
            % {"date": date_format(reached.done_on, "SHORT_DATE_FORMAT")},
        )
        return redirect("projects:detail", slug=slug, pk=project.pk)
    form = MilestoneDoneForm(request.POST, project=project)
    if form.is_valid():
        reached.done_on = form.cleaned_data["done_on"]
        reached.save(update_fields=["done_on", "updated_at"])
        messages.success(request, _("Jalon atteint."))
        return redirect("projects:detail", slug=slug, pk=project.pk)
    return _refused(request, access, project, done_form=form)


@login_required
@require_POST
def partner_add(request, slug, pk) -> HttpResponse:
    project, access = get_project_for_user(request.user, slug, pk, to_manage=True)
    form = PartnerForm(request.POST, project=project)
    if form.is_valid():
        try:
            with transaction.atomic():
                form.save()
        except IntegrityError:  # the same partner added at the same moment (project_partner_once)
            form.add_error(None, _("Cette organisation est déjà partenaire du projet."))
        else:
            messages.success(request, _("Partenaire ajouté."))
            return redirect("projects:detail", slug=slug, pk=project.pk)
    return _refused(request, access, project, partner_form=form)


@login_required
@require_POST
def partner_remove(request, slug, pk, partner) -> HttpResponse:
    project, _access = get_project_for_user(request.user, slug, pk, to_manage=True)
    get_object_or_404(project.partners, pk=partner).delete()
    messages.success(request, _("Partenaire retiré."))
    return redirect("projects:detail", slug=slug, pk=project.pk)
