"""What a person does to her own account (issue 16), and the one way a password link is sent.

- `send_reset_link`: the e-mail with a one-time link to choose a password (Django's token
  generator, the page accounts:password_reset_confirm), through accounts.mail (a background task, in
  her language). Whoever asks — herself from "Mot de passe oublié ?", her centre coordinator or the
  platform administrator (partnerships.actions.send_password_reset) — the same e-mail goes out.
- `forgotten_password`: the link for every active account of an address; nothing tells the asker
  whether there was one (docs/security.md 15). A link sent to centre staff is logged (26).
- `ask_email_change`, `confirm_email_change`: a new address is hers only once she opens, signed in,
  the link sent to it. Until then the old one stays: an address nobody confirmed must not open an
  invitation meant for it, nor receive her password links.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .mail import send_notice
from .models import User


def reset_link(user: User, request: HttpRequest) -> str:
    """The absolute one-time link: it stops working once she has chosen a password (the token
    depends on her password hash and last sign-in) or after PASSWORD_RESET_TIMEOUT."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    url: str = request.build_absolute_uri(path)
    return url


def send_reset_link(user: User, request: HttpRequest) -> None:
    """Queues the e-mail: the link and how long it lasts, nothing else (no name, no code)."""
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    send_notice(user, "password_reset", {"url": reset_link(user, request), "days": days})


def forgotten_password(email: str, request: HttpRequest) -> int:
    """Sends a link to each active account of this address (none: nothing is sent, nothing said)."""
    from partnerships.actions import centre_of, log_role_event
    from partnerships.models import RoleLog

    sent = 0
    for user in User.objects.filter(email__iexact=email.strip(), is_active=True):
        with transaction.atomic():
            centre = centre_of(user)
            if centre is not None:
                log_role_event(user, user, RoleLog.Action.PASSWORD_RESET_SENT, structure=centre)
            send_reset_link(user, request)
        sent += 1
    return sent


EMAIL_CHANGE_SALT = "twiza.accounts.email-change"
EMAIL_CHANGE_DAYS = 3


def address_taken(email: str, user: User) -> bool:
    """Whether another account uses this address (whatever its case)."""
    return bool(User.objects.filter(email__iexact=email.strip()).exclude(pk=user.pk).exists())


def ask_email_change(user: User, email: str, request: HttpRequest) -> None:
    """E-mails the new address a link that makes it hers (valid EMAIL_CHANGE_DAYS days, for the
    address she has now only: a later change voids it). Nothing changes until she opens it."""
    email = email.strip()
    if address_taken(email, user):
        raise ValidationError(_("Un autre compte utilise déjà cette adresse."))
    token = signing.dumps({"user": user.pk, "from": user.email, "to": email}, salt=EMAIL_CHANGE_SALT)
    url = request.build_absolute_uri(reverse("accounts:email_confirm", kwargs={"token": token}))
    send_notice(email, "email_change", {"url": url, "days": EMAIL_CHANGE_DAYS}, language=user.language)


def email_change_asked(user: User, token: str) -> str:
    """The new address a link of `user` asks for, if the link is still good; otherwise why not."""
    try:
        asked = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_DAYS * 86400)
    except signing.SignatureExpired:
        raise ValidationError(_("Ce lien a expiré : changez à nouveau votre adresse.")) from None
    except signing.BadSignature:
        raise ValidationError(_("Ce lien n'est pas valable.")) from None
    if asked.get("user") != user.pk:
        raise ValidationError(_("Ce lien a été envoyé pour un autre compte."))
    if asked.get("from") != user.email:
        raise ValidationError(_("Votre adresse a changé depuis : ce lien ne sert plus."))
    if address_taken(asked["to"], user):
        raise ValidationError(_("Un autre compte utilise déjà cette adresse."))
    return str(asked["to"])


def confirm_email_change(user: User, token: str) -> str:
    """Makes the address of the link hers; returns it."""
    email = email_change_asked(user, token)
    user.email = email
    user.save(update_fields=["email"])
    return email
