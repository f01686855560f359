from core.tests.access_matrix import STAFF, Row

BELFAA = ["coordination", "ecoute", "centre", "accueil", "jour", "jette", "reseau", "admin"]
EVERY_USER = [*STAFF, "autre_coordination", "autre_ecoute", "outsider"]


def belfaa(world):
    return {"slug": world["partnership"].slug}


def pending_appointment(world):
    """A pending proposal for Belfaa's centre (made here: the world holds none)."""
    from partnerships.models import Appointment

    appointment = Appointment.objects.create(
        structure=world["partnership"].structures.get(code="centre-ecoute"),
        candidate=world["users"]["outsider"],
        proposed_by=world["users"]["admin"],
    )
    return {**belfaa(world), "pk": appointment.pk}


EVERYONE = [*EVERY_USER, "anonymous"]


ROWS = {
    "partnerships:detail": Row(kwargs=belfaa, allowed=BELFAA),
    "partnerships:detail#other": Row(
        kwargs=lambda world: {"slug": world["other"].slug},
        allowed=["autre_coordination", "autre_ecoute", "admin"],
    ),
    # docs/security.md 26: appointing a first centre coordinator is for platform administrators only.
    "partnerships:appointments": Row(kwargs=belfaa, allowed=["admin"]),
    "partnerships:appointments#other": Row(
        kwargs=lambda world: {"slug": world["other"].slug}, allowed=["admin"]
    ),
    "partnerships:appointment_confirm": Row(kwargs=pending_appointment, allowed=["admin"]),
    "partnerships:appointment_withdraw": Row(
        kwargs=pending_appointment, allowed=["admin"], method="post", ok=302
    ),
    # The page a password link opens (accounts/urls.py): a wrong link says so, to anyone.
    "accounts:password_reset_confirm": Row(
        kwargs=lambda world: {"uidb64": "MQ", "token": "aaa-bbb"}, allowed=EVERYONE
    ),
    "accounts:password_reset_complete": Row(allowed=EVERYONE),
    # The API: every signed-in token holder gets 200 (the list is filtered; see test_api).
    "api:list_partnerships": Row(token=True, allowed=EVERY_USER),
    # ninja's bare root answers 404 to everyone: there is nothing at /api/v1/ itself.
    "api:api-root": Row(token=True, allowed=[*EVERY_USER, "anonymous"], ok=404),
    "api:openapi-json": Row(token=True, allowed=[*EVERY_USER, "anonymous"]),
    "api:openapi-view": Row(token=True, allowed=[*EVERY_USER, "anonymous"]),
}


# A partnership's set-up in the browser (issue 16, item 3). Creating one: a network officer (in her
# networks) or the platform administrator. Setting one up: its coordinator, or its creator before a
# coordinator exists — Belfaa and Ailleurs have one, so the network officer and the admin no longer do.
def belfaa_structure(world):
    return {**belfaa(world), "code": "centre-ecoute"}


ROWS |= {
    "setup:partnership_new": Row(allowed=["reseau", "admin"]),
    "partnerships:setup": Row(kwargs=belfaa, allowed=["coordination"]),
    "partnerships:setup#other": Row(
        kwargs=lambda world: {"slug": world["other"].slug}, allowed=["autre_coordination"]
    ),
    "partnerships:structure_new": Row(kwargs=belfaa, allowed=["coordination"]),
    "partnerships:structure_edit": Row(kwargs=belfaa_structure, allowed=["coordination"]),
    # Refused (the centre holds roles and cases), then back to the set-up page.
    "partnerships:structure_delete": Row(
        kwargs=belfaa_structure, allowed=["coordination"], method="post", ok=302
    ),
}
