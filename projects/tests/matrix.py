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
