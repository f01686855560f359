"""docs/security.md 17, 18: the second factor before any page, an absolute session lifetime on top of
Django's idle timeout, and typed work kept when a session has ended (accounts/kept.py)."""

import time
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBase
from django.shortcuts import redirect, resolve_url
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from . import kept as keeping

SESSION_STARTED = "twiza_session_started"


class SessionLimitsMiddleware:
    """Ends a session 8 hours after login, whatever the activity (idle expiry is Django's own)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request) -> HttpResponseBase:
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED)
            now = int(time.time())
            if started is None:
                request.session[SESSION_STARTED] = now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class SecondFactorMiddleware:
    """docs/security.md 17: a user who must use TOTP reaches no page before confirming her code.

    Runs after django-otp's OTPMiddleware (which sets `request.user.is_verified()`).
    """

    # Only the sign-in steps are open: the tokens page (/comptes/jetons/) makes credentials, and new
    # backup codes (/comptes/mon-compte/codes-de-secours/) would pass the second factor itself, so they
    # wait for the second factor like any page.
    OPEN_PREFIXES = (
        "/comptes/connexion/",
        "/comptes/deconnexion/",
        "/comptes/second-facteur/",
        "/static/",
        "/healthz",
        "/i18n/",
        "/api/",
        "/openrosa/",  # ODK Collect signs in with a device password at each request, never a session
    )

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request) -> HttpResponseBase:
        from .otp import requires_otp

        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self.OPEN_PREFIXES)
            and not user.is_verified()
            and requires_otp(user)
        ):
            return redirect_to_login(request.get_full_path(), "accounts:otp")
        return self.get_response(request)


class KeepTypedWorkMiddleware:
    """Issue 14, "work survives" (accounts/kept.py says how and for whom).

    - A form sent by a browser whose session has ended (the view answers with the sign-in page) is
      kept for its author; she is sent to sign in, then to the page that sends it.
    - A form sent from that page (`_twiza_kept`, CSRF-checked like any form, as process_view runs
      after CsrfViewMiddleware's) reaches the view as if typed just now; a copy already sent gives a
      plain message instead, never a second write; a 5xx puts the copy back.

    Placed after the authentication middleware and before SessionLimitsMiddleware, whose sign-out at
    the absolute limit it sees as a redirect to the sign-in page like any other.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request) -> HttpResponseBase:
        response = self.get_response(request)
        taken = getattr(request, "kept_taken", None)
        if taken is not None and response.status_code >= 500:
            keeping.put_back(taken)
        if (
            not request.user.is_authenticated
            and keeping.is_login_redirect(response)
            and keeping.keepable(request)
            and (author := keeping.author(request)) is not None
        ):
            kept = keeping.keep(author, request)
            target = f"{resolve_url(settings.LOGIN_URL)}?next={quote(keeping.resume_url(kept))}"
            response = (
                HttpResponseClientRedirect(target) if request.headers.get("HX-Request") else redirect(target)
            )
        keeping.remember_author(request, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs) -> HttpResponseBase | None:
        if (
            not keeping.is_form(request)
            or keeping.KEPT_FIELD not in request.POST
            or not request.user.is_authenticated
        ):
            return None
        taken = keeping.take(request.user, request.POST[keeping.KEPT_FIELD], request.path)
        if taken is None:
            messages.info(
                request, _("Ce formulaire a déjà été envoyé, ou il n'est plus gardé : rien n'a été refait.")
            )
            return redirect("core:home")
        request.kept_taken = taken
        keeping.send_as_typed(request, taken)
        return None
