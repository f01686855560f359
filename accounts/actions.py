"""What a person does to her own account (issue 16), and the one way a password link is sent.

- `send_reset_link`: the e-mail with a one-time link to choose a password (Django's token
  generator, the page accounts:password_reset_confirm), through accounts.mail (a background task, in
  her language). Whoever asks — herself from "Mot de passe oublié ?", her centre coordinator or the
  platform administrator (partnerships.actions.send_password_reset) — the same e-mail goes out.
- `forgotten_password`: the link for every active account of an address; nothing tells the asker
  whether there was one (docs/security.md 15). A link sent to centre staff is logged (26).
- `change_email`: after she confirms her password (the view checks it).
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

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


def change_email(user: User, email: str) -> None:
    user.email = email.strip()
    user.save(update_fields=["email"])
