from core.tests.access_matrix import Row
from people.models import Person

# Who sees individuals: the coordinator (codes) and structure staff (their structure's people) —
# never the listening centre's staff, whose clients live only in `cases` (docs/security.md 34).
REGISTRY = ["coordination", "accueil", "jour"]
DAY_CENTRE_WRITERS = ["coordination", "jour"]
EVERY_USER = [
    "coordination", "ecoute", "centre", "accueil", "jour", "jette", "reseau", "admin",
    "autre_coordination", "autre_ecoute", "outsider",
]  # fmt: skip


def belfaa(world):
    return {"slug": world["partnership"].slug}


def day_centre_person(world):
    person = Person.objects.filter(structure__code="centre-jour", partnership=world["partnership"]).first()
    return {"slug": world["partnership"].slug, "pk": person.pk}


ROWS = {
    "people:list": Row(kwargs=belfaa, allowed=REGISTRY),
    "people:list#other": Row(
        kwargs=lambda world: {"slug": world["other"].slug}, allowed=["autre_coordination"]
    ),
    "people:create": Row(kwargs=belfaa, allowed=REGISTRY),
    "people:detail": Row(kwargs=day_centre_person, allowed=DAY_CENTRE_WRITERS),
    # A merge with an unknown code is refused with a message: the allowed get the redirect back.
    "people:merge": Row(
        kwargs=day_centre_person,
        allowed=DAY_CENTRE_WRITERS,
        method="post",
        ok=302,
        data=lambda world: {"other": "BLF-999999"},
    ),
    "people:edit": Row(kwargs=day_centre_person, allowed=DAY_CENTRE_WRITERS),
    "people:delete": Row(kwargs=day_centre_person, allowed=DAY_CENTRE_WRITERS, method="post", ok=302),
    # API: 201 for those who may register here; 404 for everyone else (the API never answers 403).
    "api:create_person": Row(
        kwargs=belfaa,
        token=True,
        method="post",
        ok=201,
        allowed=REGISTRY,
        data=lambda world: {"sex": "F", "birth_year": 2001, "target_groups": ["migrants"]},
    ),
    "api:create_person#other": Row(
        kwargs=lambda world: {"slug": world["other"].slug},
        token=True,
        method="post",
        ok=201,
        allowed=["autre_coordination"],
        data=lambda world: {"sex": "M", "birth_year": 1990},
    ),
}


def free_target_group(world):
    """A target group nothing refers to yet (made here), which the set-up may still change."""
    from people.models import TargetGroup

    TargetGroup.objects.get_or_create(code="matrice-libre", defaults={"name": "Public libre"})
    return {"slug": world["partnership"].slug, "code": "matrice-libre"}


# Target groups, set up with a partnership (issue 16, item 3): whoever sets it up (partnerships.access.
# may_set_up) — Belfaa's coordinator; the network officer only before a coordinator exists.
ROWS |= {
    "people:target_groups": Row(kwargs=belfaa, allowed=["coordination"]),
    "people:target_groups#other": Row(
        kwargs=lambda world: {"slug": world["other"].slug}, allowed=["autre_coordination"]
    ),
    "people:target_group_new": Row(kwargs=belfaa, allowed=["coordination"]),
    "people:target_group_edit": Row(kwargs=free_target_group, allowed=["coordination"]),
    "people:target_group_delete": Row(
        kwargs=free_target_group, allowed=["coordination"], method="post", ok=302
    ),
}
