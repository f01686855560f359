from core.tests.access_matrix import STAFF, Row

BELFAA = ["coordination", "ecoute", "centre", "accueil", "jour", "jette", "reseau", "admin"]
EVERY_USER = [*STAFF, "autre_coordination", "autre_ecoute", "outsider"]


def belfaa(world):
    return {"slug": world["partnership"].slug}


ROWS = {
    "partnerships:detail": Row(kwargs=belfaa, allowed=BELFAA),
    "partnerships:detail#other": Row(
        kwargs=lambda world: {"slug": world["other"].slug},
        allowed=["autre_coordination", "autre_ecoute", "admin"],
    ),
    # The API: every signed-in token holder gets 200 (the list is filtered; see test_api).
    "api:list_partnerships": Row(token=True, allowed=EVERY_USER),
    # ninja's bare root answers 404 to everyone: there is nothing at /api/v1/ itself.
    "api:api-root": Row(token=True, allowed=[*EVERY_USER, "anonymous"], ok=404),
    "api:openapi-json": Row(token=True, allowed=[*EVERY_USER, "anonymous"]),
    "api:openapi-view": Row(token=True, allowed=[*EVERY_USER, "anonymous"]),
}
