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
