"""Every URL of the listening centre × every persona (docs/security.md 2, 3, 4): only the centre's staff
reach a case — her listener and the centre coordinator — and everybody else gets 404, including the
platform admin and a listener of another partnership's centre (`autre_ecoute`)."""

from core.tests.access_matrix import Row

BELFAA = ["coordination", "ecoute", "centre", "accueil", "jour", "jette", "reseau", "admin"]
STAFF = ["ecoute", "centre"]


def slug(world):
    return {"slug": world["partnership"].slug}


def _case(world, **filters):
    from cases.models import Case

    return Case.objects.filter(partnership=world["partnership"], **filters).order_by("code").first()


def hers(world):
    """A case of Belfaa's centre assigned to the listener `ecoute`."""
    return {**slug(world), "code": _case(world, assigned_to=world["users"]["ecoute"]).code}


def unassigned(world):
    return {**slug(world), "code": _case(world, assigned_to__isnull=True).code}


def group(world):
    from cases.models import SpeechGroup

    return {
        **slug(world),
        "pk": SpeechGroup.objects.filter(structure__partnership=world["partnership"]).first().pk,
    }


def complaint(world):
    from cases.models import Complaint

    c = Complaint.objects.filter(case__assigned_to=world["users"]["ecoute"]).exclude(stage="decision").first()
    return {**slug(world), "code": c.case.code, "pk": c.pk}


def stay(world):
    from cases.models import ShelterStay

    s = ShelterStay.objects.filter(case__assigned_to=world["users"]["ecoute"], end__isnull=True).first()
    return {**slug(world), "code": s.case.code, "pk": s.pk}


def listener_role(world):
    """The listener `ecoute`'s role in Belfaa's centre."""
    from partnerships.models import Membership

    membership = Membership.objects.get(user=world["users"]["ecoute"], role="listener")
    return {**slug(world), "pk": membership.pk}


EVERY_SIGNED_IN = [*BELFAA, "autre_coordination", "autre_ecoute", "outsider"]

ROWS = {
    "cases:centre": Row(kwargs=slug, allowed=STAFF),
    "cases:intake": Row(kwargs=slug, allowed=STAFF),
    "cases:statistics": Row(kwargs=slug, allowed=BELFAA),
    "cases:statistics#other": Row(
        kwargs=lambda world: {"slug": world["other"].slug},
        allowed=["autre_coordination", "autre_ecoute", "admin"],
    ),
    "cases:groups": Row(kwargs=slug, allowed=STAFF),
    "cases:group_new": Row(kwargs=slug, allowed=["centre"]),
    "cases:group": Row(kwargs=group, allowed=STAFF),
    "cases:group_session_add": Row(kwargs=group, allowed=STAFF),
    "cases:case": Row(kwargs=hers, allowed=STAFF),
    "cases:case#unassigned": Row(kwargs=unassigned, allowed=["centre"]),
    "cases:case#other-partnership": Row(
        kwargs=lambda world: {"slug": world["other"].slug, "code": hers(world)["code"]}, allowed=[]
    ),
    "cases:case_edit": Row(kwargs=hers, allowed=STAFF),
    "cases:case_add": Row(kwargs=lambda world: {**hers(world), "kind": "ecoute"}, allowed=STAFF),
    "cases:case_add#note": Row(kwargs=lambda world: {**hers(world), "kind": "note"}, allowed=STAFF),
    "cases:case_add#unknown-kind": Row(kwargs=lambda world: {**hers(world), "kind": "inconnu"}, allowed=[]),
    "cases:complaint_step": Row(kwargs=complaint, allowed=STAFF),
    "cases:shelter_end": Row(kwargs=stay, allowed=STAFF),
    "cases:case_close": Row(kwargs=hers, allowed=STAFF),
    "cases:case_reopen": Row(kwargs=hers, allowed=STAFF),
    "cases:case_assign": Row(kwargs=hers, allowed=["centre"]),
    # docs/security.md 26: the centre's accounts are managed by its centre coordinator alone.
    "cases:roles": Row(kwargs=slug, allowed=["centre"]),
    "cases:role_log": Row(kwargs=slug, allowed=["centre"]),
    "cases:role_act": Row(
        kwargs=lambda world: {**listener_role(world), "act": "second-facteur"},
        allowed=["centre"],
        method="post",
        ok=302,
    ),
    "cases:role_act#unknown-act": Row(
        kwargs=lambda world: {**listener_role(world), "act": "inconnu"}, allowed=[], method="post"
    ),
    # Signed-in users who passed (or need no) second factor are sent on; anonymous to the login page.
    "accounts:otp": Row(allowed=EVERY_SIGNED_IN, ok=302),
    "accounts:otp_setup": Row(allowed=EVERY_SIGNED_IN, ok=302),
}
