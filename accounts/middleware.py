"""SECURITY.md 18: an absolute session lifetime on top of Django's idle timeout."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect

SESSION_STARTED = "twiza_session_started"


class SessionLimitsMiddleware:
    """Ends a session 8 hours after login, whatever the activity (idle expiry is Django's own)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
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
    """SECURITY.md 17: a user who must use TOTP reaches no page before confirming her code.

    Runs after django-otp's OTPMiddleware (which sets `request.user.is_verified()`).
    """

    # Only the sign-in steps are open: the tokens page (/comptes/jetons/) makes credentials, so it
    # waits for the second factor like any page.
    OPEN_PREFIXES = (
        "/comptes/connexion/",
        "/comptes/deconnexion/",
        "/comptes/second-facteur/",
        "/static/",
        "/healthz",
        "/i18n/",
        "/api/",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
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
