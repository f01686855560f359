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
