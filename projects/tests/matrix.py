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
