"""Offline collection in the authorisation matrix (docs/security.md 3).

C — the review queue, the Kobo links and Kobo's push: the coordinator and the staff of a structure
that collects (`accueil` of the migrant office, `jour` of the day centre); the listening centre's
staff, the partner commune, the network, the platform admin and the other partnership get 404.
Kobo's push has no session: its secret is the credential (every caller the same answer).
"""

from conftest import ALL_PERSONAS
from core.tests.access_matrix import Row
from partnerships.tests.matrix import belfaa

COLLECTORS = ["coordination", "accueil", "jour"]


def bureau_submission(world):
    from collect.tests.factories import SubmissionFactory

    bureau = world["partnership"].structures.get(code="bureau-migrants")
    submission = SubmissionFactory(structure=bureau, answers={"activite/date": "2019-01-01"})
    return {"slug": world["partnership"].slug, "pk": submission.pk}


def bureau_hook(world, secret: bool = False):
    from collect.tests.factories import KoboHookFactory

    bureau = world["partnership"].structures.get(code="bureau-migrants")
    hook = KoboHookFactory(structure=bureau, user=world["users"]["accueil"])
    if secret:
        return {"slug": world["partnership"].slug, "secret": hook.secret}
    return {"slug": world["partnership"].slug, "pk": hook.pk}


ROWS = {
    # C — the review queue and the Kobo links
    "collect:queue": Row(kwargs=belfaa, allowed=COLLECTORS),
    "collect:hooks": Row(kwargs=belfaa, allowed=COLLECTORS),
    # The migrant office's submission: its staff and the coordinator; the day centre's staff 404.
    "collect:review": Row(kwargs=bureau_submission, allowed=["coordination", "accueil"]),
    "collect:hook_revoke": Row(
        kwargs=bureau_hook, allowed=["coordination", "accueil"], method="post", ok=302
    ),
    # A form-encoded body is not Kobo's JSON: 400 for every caller, signed in or not.
    "openrosa:kobo": Row(
        kwargs=lambda world: bureau_hook(world, secret=True),
        allowed=ALL_PERSONAS,
        method="post",
        ok=400,
        data=lambda world: {"a": "b"},
    ),
}
