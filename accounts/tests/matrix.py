from accounts.models import ApiToken, hash_token
from core.tests.access_matrix import STAFF, Row

SIGNED_IN = [*STAFF, "autre_coordination", "autre_ecoute", "outsider"]


def jour_token(world):
    raw = ApiToken.issue(world["users"]["jour"], name="matrice")
    return {"pk": ApiToken.objects.get(key_hash=hash_token(raw)).pk}


ROWS = {
    # Every signed-in user has her own tokens page.
    "accounts:tokens": Row(allowed=SIGNED_IN),
    # Only the owner revokes a token (then back to her page); anyone else's is a 404.
    "accounts:token_revoke": Row(kwargs=jour_token, allowed=["jour"], method="post", ok=302),
}
