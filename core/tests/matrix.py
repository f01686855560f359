from core.tests.access_matrix import STAFF, Row

ROWS = {
    # `/`: the front door for a visitor (public portals, forums, good practices), her home for a user.
    "core:home": Row(allowed=[*STAFF, "autre_coordination", "autre_ecoute", "outsider", "anonymous"]),
    "core:healthz": Row(allowed=[*STAFF, "autre_coordination", "autre_ecoute", "outsider", "anonymous"]),
    "accounts:login": Row(
        allowed=["anonymous"],
        # A signed-in user is sent on to her home page.
        denied=302,
    ),
    "accounts:logout": Row(
        method="post",
        ok=302,
        denied=302,
        allowed=[*STAFF, "autre_coordination", "autre_ecoute", "outsider", "anonymous"],
    ),
    "set_language": Row(
        method="post",
        ok=302,
        allowed=[*STAFF, "autre_coordination", "autre_ecoute", "outsider", "anonymous"],
        data=lambda world: {"language": "ar", "next": "/"},
    ),
}
