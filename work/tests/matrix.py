""" "Mon travail" in the authorisation matrix (docs/security.md 3): every signed-in person has her own
list (computed from what she may see), and the digest's opt-out page; a visitor is sent to sign in."""

from core.tests.access_matrix import STAFF, Row

SIGNED_IN = [*STAFF, "autre_coordination", "autre_ecoute", "outsider"]

ROWS = {
    "work:mine": Row(allowed=SIGNED_IN),
    "work:digest_off": Row(allowed=SIGNED_IN),
}
