"""SECURITY.md 18: an absolute session lifetime on top of Django's idle timeout."""

import time

from django.conf import settings
from django.contrib.auth import logout
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
