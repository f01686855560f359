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


def unstaffed(world):
    """A new partnership of Belfaa's network with no coordinator yet: its network officer (`reseau`)
    and the platform administrator invite its first one."""
    from partnerships.models import Partnership

    new, _ = Partnership.objects.get_or_create(
        slug="matrice-sans-coordination",
        defaults={
            "network": world["partnership"].network,
            "name": "Partenariat sans coordination",
            "start_year": 2026,
            "end_year": 2028,
            "code_prefix": "MSC",
        },
    )
    return {"slug": new.slug}


def invitation(world):
    """A pending invitation to Belfaa, with a token known here (only its hash is stored); made once
    per test, which may ask for it for several personas."""
    from accounts.models import hash_token
    from partnerships.models import Invitation, Role

    Invitation.objects.get_or_create(
        token_hash=hash_token("jeton-de-la-matrice"),
        defaults={
            "email": "matrice@example.org",
            "partnership": world["partnership"],
            "role": Role.PARTNER_OFFICER,
            "invited_by": world["users"]["coordination"],
        },
    )
    return {"token": "jeton-de-la-matrice"}


def pending_invitation(world):
    from partnerships.models import Invitation

    invitation(world)
    return {**belfaa(world), "pk": Invitation.objects.get(email="matrice@example.org").pk}


def jettes_role(world):
    """The partner officer's role in Belfaa (a role its coordinator may change, remove, deactivate)."""
    from partnerships.models import Membership, Role

    membership = Membership.objects.get(user=world["users"]["jette"], role=Role.PARTNER_OFFICER)
    return {**belfaa(world), "pk": membership.pk}


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
    # Issue 16: the team of a partnership is its coordinator's (docs/security.md 26: never the centre's
    # roles); a partnership without a coordinator gets its first one from its network's officer or
    # a platform administrator.
    "partnerships:team": Row(kwargs=belfaa, allowed=["coordination"]),
    "partnerships:team#other": Row(
        kwargs=lambda world: {"slug": world["other"].slug}, allowed=["autre_coordination"]
    ),
    "partnerships:invite": Row(kwargs=belfaa, allowed=["coordination"]),
    "partnerships:invite#unstaffed": Row(kwargs=unstaffed, allowed=["reseau", "admin"]),
    "partnerships:access_log": Row(kwargs=belfaa, allowed=["coordination"]),
    "partnerships:invitation_revoke": Row(
        kwargs=pending_invitation, allowed=["coordination"], method="post", ok=302
    ),
    "partnerships:role_change": Row(kwargs=jettes_role, allowed=["coordination"]),
    "partnerships:role_remove": Row(kwargs=jettes_role, allowed=["coordination"], method="post", ok=302),
    "partnerships:deactivate": Row(kwargs=jettes_role, allowed=["coordination"], method="post", ok=302),
    # The link of an invitation: whoever holds it (a signed-in stranger is told it is not hers).
    "invitations:accept": Row(kwargs=invitation, allowed=EVERYONE),
    "invitations:accept#unknown": Row(
        kwargs=lambda world: {"token": "aucun-jeton"}, allowed=EVERYONE, ok=404
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


# The douars of the territory (issue 18): whoever sets the partnership up — its coordinator.
def belfaa_douar(world):
    return {**belfaa(world), "code": "toulaasri"}


ROWS |= {
    "partnerships:douars": Row(kwargs=belfaa, allowed=["coordination"]),
    "partnerships:douar_new": Row(kwargs=belfaa, allowed=["coordination"]),
    "partnerships:douar_edit": Row(kwargs=belfaa_douar, allowed=["coordination"]),
    # Refused (activities take place there), then back to the douars' page.
    "partnerships:douar_delete": Row(kwargs=belfaa_douar, allowed=["coordination"], method="post", ok=302),
}
