import json

from accounts.models import ApiToken, KeptSubmission, hash_token
from core.tests.access_matrix import STAFF, Row

SIGNED_IN = [*STAFF, "autre_coordination", "autre_ecoute", "outsider"]
EVERYONE = [*SIGNED_IN, "anonymous"]
# Those whose role asks a second factor have an enrolled authenticator in the world.
ENROLLED = ["ecoute", "centre", "admin", "autre_ecoute"]


def jour_token(world):
    raw = ApiToken.issue(world["users"]["jour"], name="matrice")
    return {"pk": ApiToken.objects.get(key_hash=hash_token(raw)).pk}


def jour_new_address(world):
    from django.core import signing

    from accounts.actions import EMAIL_CHANGE_SALT

    jour = world["users"]["jour"]
    asked = {"user": jour.pk, "from": jour.email, "to": "jour-nouvelle@tests.twiza.invalid"}
    return {"token": signing.dumps(asked, salt=EMAIL_CHANGE_SALT)}


def ecoute_kept(world):
    content = {"path": "/", "query": "", "fields": [["texte", ["gardé"]]]}
    kept = KeptSubmission.objects.create(user=world["users"]["ecoute"], content=json.dumps(content).encode())
    return {"pk": kept.pk}


ROWS = {
    # The "stay signed in" button: any signed-in user renews her own session, nothing else (204).
    "accounts:keepalive": Row(allowed=SIGNED_IN, method="post", ok=204),
    # A kept form is shown to its author only; anyone else is told, on her home, that nothing waits.
    "accounts:resume": Row(kwargs=ecoute_kept, allowed=["ecoute"], denied=302),
    # Every signed-in user has her own tokens page.
    "accounts:tokens": Row(allowed=SIGNED_IN),
    # "Mon compte" and the password change: every signed-in person, for her own account only.
    "accounts:account": Row(allowed=SIGNED_IN),
    "accounts:password_change": Row(allowed=SIGNED_IN),
    # New backup codes: whoever has an authenticator; anyone else is sent back to her account page.
    "accounts:backup_codes": Row(allowed=ENROLLED, denied=302),
    # The link that confirms a new address: for the account that asked only (400 for any other).
    "accounts:email_confirm": Row(kwargs=jour_new_address, allowed=["jour"], denied=400),
    # "Mot de passe oublié ?": the same pages for everyone, signed in or not (nothing to protect).
    "accounts:password_forgotten": Row(allowed=EVERYONE),
    "accounts:password_forgotten_sent": Row(allowed=EVERYONE),
    # Only the owner revokes a token (then back to her page); anyone else's is a 404.
    "accounts:token_revoke": Row(kwargs=jour_token, allowed=["jour"], method="post", ok=302),
}
