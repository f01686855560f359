import time

from django.contrib.auth import views as auth_views
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from .middleware import SESSION_STARTED


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class LoginView(auth_views.LoginView):
    """Sign-in for every persona. Django gives a new session key at login (SECURITY.md 18)."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.session[SESSION_STARTED] = int(time.time())
        return response


class LogoutView(auth_views.LogoutView):
    """Ends the session (POST only, as Django requires)."""
