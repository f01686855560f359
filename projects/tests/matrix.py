from django.utils.timezone import localdate

from core.tests.access_matrix import Row

# Who reads projects (projects/access.py): not the listener, not the network officer.
READERS = ["coordination", "centre", "accueil", "jour", "jette", "admin"]


def belfaa(world):
    return {"slug": world["partnership"].slug}


def forum_project(world):
    from projects.models import Project

    first = Project.objects.filter(partnership=world["partnership"], proposal__isnull=False).first()
    return {"slug": world["partnership"].slug, "pk": first.pk}


ROWS = {
    "projects:list": Row(kwargs=belfaa, allowed=READERS),
    "projects:detail": Row(kwargs=forum_project, allowed=READERS),
}

# Budgets and spending (projects/budget_views.py): read by the readers, written by the project's
# managers (coordination for a project of no structure); a POST with nothing in it shows the page
# again with the form's errors.
ROWS["projects:budgets"] = Row(kwargs=belfaa, allowed=READERS)
ROWS["projects:budget"] = Row(kwargs=forum_project, allowed=READERS)
ROWS["projects:budget_line_add"] = Row(kwargs=forum_project, allowed=["coordination"], method="post")
ROWS["projects:spending_add"] = Row(kwargs=forum_project, allowed=["coordination"], method="post")

# Who creates a project: the coordination, and a structure's coordinating staff (for her structure).
CREATORS = ["coordination", "centre", "accueil", "jour"]
# Who manages the forum's project (no structure): its coordination only.
MANAGERS = ["coordination"]


def forum_milestone(world):
    from projects.models import Milestone

    kwargs = forum_project(world)
    milestone = Milestone.objects.filter(project=kwargs["pk"]).order_by("pk").first()
    return {**kwargs, "milestone": milestone.pk}


def forum_partner(world):
    from partnerships.models import Organisation
    from projects.models import ProjectPartner

    kwargs = forum_project(world)
    organisation = Organisation.objects.filter(partnerships_as_commune=world["partnership"]).first()
    partner, _created = ProjectPartner.objects.get_or_create(
        project_id=kwargs["pk"], organisation=organisation, defaults={"role": "Maître d'ouvrage"}
    )
    return {**kwargs, "partner": partner.pk}


def edited_project(world):
    from projects.models import Project

    project = Project.objects.get(pk=forum_project(world)["pk"])
    return {
        "title": "Projet renommé",
        "kind": project.kind,
        "origin": project.origin,
        "progress": "50",
        "version": str(project.version),
    }


def new_project(world):
    return {"title": "Projet de test", "kind": "social", "origin": "commune", "progress": "0"}


ROWS.update(
    {
        "projects:new": Row(kwargs=belfaa, allowed=CREATORS),
        "projects:new#create": Row(kwargs=belfaa, allowed=CREATORS, ok=302, method="post", data=new_project),
        "projects:edit": Row(kwargs=forum_project, allowed=MANAGERS),
        "projects:edit#save": Row(
            kwargs=forum_project, allowed=MANAGERS, ok=302, method="post", data=edited_project
        ),
        "projects:stage": Row(
            kwargs=forum_project,
            allowed=MANAGERS,
            ok=302,
            method="post",
            data=lambda w: {"stage": "abandonne", "date": str(localdate()), "note": "Plus de budget"},
        ),
        "projects:milestone_add": Row(
            kwargs=forum_project,
            allowed=MANAGERS,
            ok=302,
            method="post",
            data=lambda w: {"title": "Réception des travaux", "due": "2026-06-30"},
        ),
        "projects:milestone_done": Row(
            kwargs=forum_milestone, allowed=MANAGERS, ok=302, method="post", data=lambda w: {}
        ),
        "projects:partner_add": Row(
            kwargs=forum_project,
            allowed=MANAGERS,
            ok=302,
            method="post",
            data=lambda w: {
                "organisation": w["partnership"].communes.first().pk,
                "role": "Maître d'ouvrage",
            },
        ),
        "projects:partner_remove": Row(
            kwargs=forum_partner, allowed=MANAGERS, ok=302, method="post", data=lambda w: {}
        ),
    }
)


def belfaa_survey(world):
    from projects.models import Project, Question, Survey

    project = Project.objects.filter(partnership=world["partnership"], proposal__isnull=False).first()
    survey, _created = Survey.objects.get_or_create(
        partnership=world["partnership"],
        code="satisfaction",
        defaults={"title": "Satisfaction", "project": project},
    )
    Question.objects.get_or_create(survey=survey, code="utile", defaults={"text": "Utile ?"})
    return {"slug": world["partnership"].slug, "pk": survey.pk}


# Evaluations and surveys (projects/evaluation_views.py, survey_views.py): the demo's forum project has
# no structure, so only the coordination manages it.
ROWS.update(
    {
        "projects:evaluations": Row(kwargs=forum_project, allowed=READERS),
        "projects:evaluation_new": Row(kwargs=forum_project, allowed=["coordination"]),
        "projects:surveys": Row(kwargs=belfaa, allowed=READERS),
        "projects:survey": Row(kwargs=belfaa_survey, allowed=READERS),
        "projects:survey_answer": Row(kwargs=belfaa_survey, allowed=["coordination"]),
        "projects:survey_import": Row(kwargs=belfaa_survey, allowed=["coordination"]),
    }
)
