from django.utils import timezone

from activities.models import Activity, Tally
from core.tests.access_matrix import Row
from people.models import Person

BELFAA = ["coordination", "ecoute", "centre", "accueil", "jour", "jette", "reseau", "admin"]
STAFF_AND_COORDINATOR = ["coordination", "ecoute", "centre", "accueil", "jour"]
DAY_CENTRE_WRITERS = ["coordination", "jour"]


def belfaa(world):
    return {"slug": world["partnership"].slug}


def day_session(world):
    held = Activity.objects.filter(date__lte=timezone.localdate())  # attendance is taken from the day on
    activity = held.filter(partnership=world["partnership"], kind="accueil-jour").first()
    return {"slug": world["partnership"].slug, "pk": activity.pk}


def committee(world):
    activity = Activity.objects.filter(partnership=world["partnership"], kind="comite").first()
    return {"slug": world["partnership"].slug, "pk": activity.pk}


def first_decision(world):
    return Activity.objects.get(pk=committee(world)["pk"]).decisions.first().pk


def day_person(world):
    return {"person": Person.objects.filter(structure__code="centre-jour").first().pk}


def tally_table(world):
    """The tally table read as it is now, with one more woman."""
    tally = Tally.objects.filter(activity_id=day_session(world)["pk"], sex="F", target_group=None).first()
    seen = tally.count if tally else 0
    return {"n-F": str(seen + 1), "was-F": str(seen)}


def api_session(world):
    return {"activity_id": day_session(world)["pk"]}


def day(kwargs):
    return Row(kwargs=kwargs, allowed=DAY_CENTRE_WRITERS)


ROWS = {
    "activities:list": Row(kwargs=belfaa, allowed=BELFAA),
    "activities:list#other": Row(
        kwargs=lambda world: {"slug": world["other"].slug},
        allowed=["autre_coordination", "autre_ecoute", "admin"],
    ),
    "activities:create": Row(kwargs=belfaa, allowed=STAFF_AND_COORDINATOR),
    "activities:detail": Row(kwargs=day_session, allowed=BELFAA),
    "activities:attendance": day(day_session),
    "activities:edit": day(day_session),
    # Posted: a name must not reach an access log (docs/security.md 32).
    "activities:search": Row(
        kwargs=day_session, allowed=DAY_CENTRE_WRITERS, method="post", data=lambda world: {"q": "BLF"}
    ),
    "activities:attend": Row(kwargs=day_session, allowed=DAY_CENTRE_WRITERS, method="post", data=day_person),
    "activities:unattend": Row(
        kwargs=day_session, allowed=DAY_CENTRE_WRITERS, method="post", data=day_person
    ),
    "activities:quick_person": Row(
        kwargs=day_session,
        allowed=DAY_CENTRE_WRITERS,
        method="post",
        data=lambda world: {"sex": "F", "birth_year": "2008"},
    ),
    # docs/security.md 34: nobody, the centre's own staff included, registers a person at a listening
    # centre's activity.
    "activities:quick_person#listening-centre": Row(
        kwargs=lambda world: {
            "slug": world["partnership"].slug,
            "pk": Activity.objects.filter(partnership=world["partnership"], structure__code="centre-ecoute")
            .values_list("pk", flat=True)
            .first(),
        },
        allowed=[],
        method="post",
        data=lambda world: {"sex": "F", "birth_year": "1990"},
    ),
    "activities:tally": Row(
        kwargs=day_session,
        allowed=DAY_CENTRE_WRITERS,
        method="post",
        ok=302,
        data=lambda world: tally_table(world),
    ),
    "activities:decision_add": Row(
        kwargs=committee,
        allowed=["coordination"],
        method="post",
        ok=302,
        data=lambda world: {"text": "Décision du test", "follow_up_by": "Coordination"},
    ),
    "activities:decision_done": Row(
        kwargs=lambda world: {**committee(world), "decision": first_decision(world)},
        allowed=["coordination"],
        method="post",
        ok=302,
        data=lambda world: {"done": "1"},
    ),
    "activities:visits": Row(kwargs=belfaa, allowed=["coordination", "accueil"]),
    "activities:partners": Row(kwargs=belfaa, allowed=BELFAA),
    "activities:partners#post": Row(
        kwargs=belfaa,
        allowed=["coordination"],
        method="post",
        ok=302,
        data=lambda world: {
            "structure": world["partnership"].structures.get(code="centre-jour").pk,
            "organisation": world["partnership"].partners.get(slug="universites").pk,
            "role": "Évaluation",
        },
    ),
    "api:create_activity": Row(
        kwargs=belfaa,
        token=True,
        method="post",
        ok=201,
        allowed=["coordination"],
        data=lambda world: {
            "kind": "reunion-info",
            "title": "Réunion",
            "date": "2024-03-01",
            "structure": "",
        },
    ),
    "api:create_activity#centre-jour": Row(
        kwargs=belfaa,
        token=True,
        method="post",
        ok=201,
        allowed=DAY_CENTRE_WRITERS,
        data=lambda world: {
            "kind": "accueil-jour",
            "title": "Séance",
            "date": "2024-03-01",
            "structure": "centre-jour",
        },
    ),
    "api:post_attendance": Row(
        kwargs=api_session,
        token=True,
        method="post",
        allowed=DAY_CENTRE_WRITERS,
        data=lambda world: {"people": [day_person(world)["person"]]},
    ),
    "api:post_tallies": Row(
        kwargs=api_session,
        token=True,
        method="post",
        allowed=DAY_CENTRE_WRITERS,
        data=lambda world: [{"sex": "F", "count": 3}],
    ),
}
