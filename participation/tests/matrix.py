"""Forums in the authorisation matrix (docs/security.md 3). Who may do what: participation/access.py.

Staff pages: readers = coordinator, officers (office agent, educator), Jette's partner officer and
the platform admin (read-only); officers type paper forms and ballots; the coordinator manages.
Listening-centre staff, the network officer and other partnerships: 404. Public pages: everyone.
"""

from conftest import ALL_PERSONAS
from core.tests.access_matrix import Row

MANAGERS = ["coordination"]
OFFICERS = ["coordination", "accueil", "jour"]
READERS = [*OFFICERS, "jette", "admin"]


def forum(world, slug="forum-2026"):
    from participation.models import Forum

    return Forum.objects.get(partnership=world["partnership"], slug=slug)


def staff(slug="forum-2026", **extra):
    def kwargs(world):
        return {"slug": world["partnership"].slug, "pk": forum(world, slug).pk, **extra}

    return kwargs


def public(slug="forum-2026"):
    return staff(slug)


def batch(world):
    f = forum(world, "forum-2024")
    return {"slug": world["partnership"].slug, "pk": f.pk, "batch": f.batches.get().pk}


def new_forum(world):
    return {
        "title": "Forum de test",
        "slug": "forum-test",
        "date": "2026-10-01",
        "place": "Belfaa",
        "rule": "approbation",
        "max_choices": 2,
        "seats": 1,
    }


def belfaa(world):
    return {"slug": world["partnership"].slug}


ROWS = {
    "participation:forums": Row(kwargs=belfaa, allowed=READERS),
    "participation:forums#create": Row(
        kwargs=belfaa, allowed=MANAGERS, ok=302, method="post", data=new_forum
    ),
    "participation:forums#other": Row(
        kwargs=lambda world: {"slug": world["other"].slug}, allowed=["autre_coordination", "admin"]
    ),
    "participation:forum": Row(kwargs=staff(), allowed=READERS),
    "participation:forum_phase": Row(
        kwargs=staff(), allowed=MANAGERS, ok=302, method="post", data=lambda w: {}
    ),
    "participation:proposal_paper": Row(kwargs=staff(), allowed=OFFICERS),
    "participation:proposal_decide": Row(kwargs=staff(number=1), allowed=MANAGERS),
    "participation:codes": Row(kwargs=staff(), allowed=MANAGERS),
    "participation:batches": Row(kwargs=staff(), allowed=OFFICERS, ok=302, method="post", data=lambda w: {}),
    "participation:batch": Row(kwargs=batch, allowed=OFFICERS),
    "participation:batch_confirm": Row(
        kwargs=batch, allowed=OFFICERS, ok=302, method="post", data=lambda w: {}
    ),
    "forums:list": Row(kwargs=belfaa, allowed=ALL_PERSONAS),
    "forums:forum": Row(kwargs=public(), allowed=ALL_PERSONAS),
    "forums:propose": Row(kwargs=public("forum-2026-decembre"), allowed=ALL_PERSONAS),  # open: the form
    "forums:vote": Row(kwargs=public("forum-2026"), allowed=ALL_PERSONAS),
    "forums:results": Row(kwargs=public("forum-2024"), allowed=ALL_PERSONAS),
    "forums:results_csv": Row(kwargs=public("forum-2024"), allowed=ALL_PERSONAS),
}
