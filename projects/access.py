"""The only door to projects, their plan, budget, evaluations and surveys.

Who may do what (docs/decisions.md, "Projets"):
- read: the partnership's coordination and admin, the partner commune's officer (Jette), the staff of
  its structures (office agent, educator, the centre's coordinator) and the platform administrator
  (read-only); not the network officer (aggregates on the network pages) nor the listeners;
- manage (create, edit, move through the life cycle, plan, budget, spend, evaluate, surveys): the
  coordinator and the partnership's admin for every project; a structure's coordinating staff
  (office agent, educator, centre coordinator) for her own structure's projects.
Missing and forbidden give the same 404.
"""

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from partnerships.access import Access, access_for, get_partnership_for_user
from partnerships.models import Partnership, Role

from .models import READER_ROLES, Milestone, Project, Stage, Survey

STRUCTURE_MANAGERS = (Role.OFFICE_AGENT, Role.EDUCATOR, Role.CENTRE_COORDINATOR)


def can_read(access: Access) -> bool:
    if access.has(*READER_ROLES):
        return True
    return access.platform_admin


def can_create(access: Access) -> bool:
    """A new project: the coordinator, the admin, or a structure's coordinating staff (for her structure)."""
    return access.is_coordinator or any(
        access.in_structure(pk, *STRUCTURE_MANAGERS) for pk in access.structure_ids
    )


def can_manage(access: Access, project: Project) -> bool:
    """Edit, plan, budget, spend, evaluate and move this project through its life cycle."""
    if access.is_coordinator:
        return True
    return project.structure_id is not None and access.in_structure(project.structure_id, *STRUCTURE_MANAGERS)


def can_change(access: Access, project: Project) -> bool:
    """Write to this project (its edit, steps, milestones, partners, budget, spending, evaluations):
    she manages it (`can_manage`) and it is still under way. A closed or abandoned project is
    read-only, for everyone; the pages show it without their forms."""
    return project.is_open and can_manage(access, project)


def projects_of(partnership: Partnership) -> QuerySet[Project]:
    """The partnership's projects; the caller has checked who may see them."""
    return Project.objects.filter(partnership=partnership).select_related("structure")


def get_projects_for_user(user, slug: str) -> tuple[Partnership, Access]:
    """The partnership whose projects she may read; 404 otherwise."""
    partnership, access = get_partnership_for_user(user, slug)
    if not can_read(access):
        raise Http404
    return partnership, access


def get_project_for_user(user, slug: str, pk: int, *, to_manage: bool = False) -> tuple[Project, Access]:
    """One project she may read (or write to, with `to_manage`: `can_change`, so never a closed or
    abandoned project); 404 otherwise."""
    partnership, access = get_projects_for_user(user, slug)
    project = get_object_or_404(projects_of(partnership), pk=pk)
    if to_manage and not can_change(access, project):
        raise Http404
    return project, access


def get_project_of(partnership: Partnership, pk: int) -> Project:
    """One project of the partnership (the caller has checked the reader's rights); 404 otherwise."""
    return get_object_or_404(projects_of(partnership), pk=pk)


def structures_for(access: Access) -> QuerySet:
    """The structures she may put a project under: all of the partnership's for its coordination,
    those where she is coordinating staff otherwise."""
    structures = access.partnership.structures.all()
    if access.is_coordinator:
        return structures
    return structures.filter(
        pk__in=[pk for pk in access.structure_ids if access.in_structure(pk, *STRUCTURE_MANAGERS)]
    )


def late_milestones(user, today) -> list[Milestone]:
    """For "Mon travail": the milestones not reached whose due date is past, of the projects she
    manages (`can_manage`) that are still under way (neither closed nor abandoned)."""
    late = []
    for partnership in Partnership.objects.visible_to(user):
        access = access_for(user, partnership)
        if not can_read(access):
            continue
        rows = (
            Milestone.objects.filter(project__partnership=partnership, done_on=None, due__lt=today)
            .exclude(project__stage__in=[Stage.CLOSED, Stage.ABANDONED])
            .select_related("project__partnership")
        )
        late += [m for m in rows if can_manage(access, m.project)]
    return sorted(late, key=lambda m: (m.due, m.project.title, m.pk))


def can_manage_survey(access: Access, survey: Survey) -> bool:
    """Its questions, responses and imports: the coordination, or whoever manages its project."""
    if access.is_coordinator:
        return True
    return survey.project is not None and can_manage(access, survey.project)


def managed_projects(access: Access) -> QuerySet[Project]:
    """The projects she may attach a new survey to: those she manages that are still under way."""
    return Project.objects.filter(
        pk__in=[p.pk for p in projects_of(access.partnership) if can_change(access, p)]
    )


def get_survey_for_user(user, slug: str, pk: int, *, to_manage: bool = False) -> tuple[Survey, Access]:
    """A survey of the partnership she may read (or manage, with `to_manage`); 404 otherwise."""
    partnership, access = get_projects_for_user(user, slug)
    survey = get_object_or_404(
        Survey.objects.select_related("project", "result"), partnership=partnership, pk=pk
    )
    if to_manage and not can_manage_survey(access, survey):
        raise Http404
    return survey, access
