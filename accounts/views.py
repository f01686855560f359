import base64
import hashlib
import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import throttle

from . import actions
from . import kept as keeping
from .access import get_token_for_user, tokens_of
from .forms import AccountForm, ForgottenPasswordForm, PasswordConfirmForm, TokenForm
from .middleware import SESSION_STARTED
from .models import ApiToken
from .otp import backup_codes_left, backup_device, confirmed_device, issue_backup_codes, qr_svg, requires_otp


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class LoginView(auth_views.LoginView):
    """Sign-in for every persona. Django gives a new session key at login (docs/security.md 18)."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # Issue 14: she is told that what she typed waits for her (accounts/kept.py).
        context["work_kept"] = keeping.is_resume_url(context.get("next", ""))
        return context

    def get_success_url(self) -> str:
        # Work she typed before her session ended waits for her, wherever she signs in from.
        url = super().get_success_url()
        user = self.request.user  # signed in by now (form_valid): never the AnonymousUser of its type
        waiting = keeping.KeptSubmission.objects.live().filter(user=user).first()  # type: ignore[misc]
        return keeping.resume_url(waiting) if waiting and not keeping.is_resume_url(url) else url

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        self.request.session[SESSION_STARTED] = int(time.time())
        if requires_otp(form.get_user()):
            # docs/security.md 17: no page before the second factor.
            return redirect(f"{reverse('accounts:otp')}?next={self.get_success_url()}")
        return response


class LogoutView(auth_views.LogoutView):
    """Ends the session (POST only, as Django requires). A form sent later from one of her tabs is no
    longer hers to keep (accounts/kept.py)."""

    def post(self, request, *args, **kwargs) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response.delete_cookie(keeping.WHO_COOKIE, samesite="Lax")
        return response


@login_required
@require_POST
def keepalive(request) -> HttpResponse:
    """The "stay signed in" button of the warning before the idle limit (static/js/session.js): any
    signed-in user's request renews her session (SESSION_SAVE_EVERY_REQUEST); this one does nothing
    else. 204, so that the page stays as it is."""
    return HttpResponse(status=204)


@sensitive_variables("data")
@login_required
def resume(request, pk) -> HttpResponse:
    """Her own kept form (accounts/kept.py), after signing in again: what she typed, and one button
    that sends it to the page it was typed on (or one that drops it). Anyone else, an expired or an
    already sent copy: "nothing waits", which says nothing of anyone else's work."""
    kept = keeping.kept_for(request.user, pk)
    if kept is None:
        messages.info(request, _("Aucune saisie n'attend d'être envoyée pour votre compte."))
        return redirect("core:home")
    if request.method == "POST":
        keeping.KeptSubmission.objects.filter(pk=kept.pk).delete()
        messages.info(request, _("Votre saisie gardée a été abandonnée."))
        return redirect("core:home")
    data = keeping.content(kept)
    context = {"kept": kept, "action": keeping.action_url(kept), "fields": keeping.shown_fields(data)}
    return render(request, "accounts/resume.html", context)


@sensitive_variables("author")
def csrf_failure(request, reason="") -> HttpResponse:
    """Replaces Django's technical CSRF page (CSRF_FAILURE_VIEW): what happened, in plain words, in
    the site's layout, with the way back; a form sent from one of our pages (by the browser's Origin:
    a cross-site forgery is never kept) is kept for its author and offered to be sent again."""
    kept, user = None, getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    if keeping.keepable(request) and keeping.same_origin(request):
        author = keeping.author(request) or (user if signed_in else None)
        if author is not None:
            kept = keeping.keep(author, request)
    context = {
        "kept": kept,
        "mine": kept is not None and user is not None and signed_in and kept.user_id == user.pk,
        "action": kept and keeping.action_url(kept),
        "resume": kept and keeping.resume_url(kept),
        "back": keeping.safe_referer(request) or resolve_url("core:home"),
    }
    return render(request, "accounts/csrf_failure.html", context, status=403)


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("token")
@login_required
def otp_verify(request) -> HttpResponse:
    """The second step of sign-in for listening-centre staff and the platform admin (docs/security.md 17):
    the 6-digit code of her authenticator. Anyone else, or an already verified user, goes on."""
    if request.user.is_verified() or not requires_otp(request.user):
        return redirect(_next(request))
    device = confirmed_device(request.user)
    if device is None:
        return redirect(f"{reverse('accounts:otp_setup')}?next={_next(request)}")
    error = ""
    if request.method == "POST":
        token = request.POST.get("token", "").strip().replace(" ", "")
        if token.isdigit() and device.verify_token(token):
            otp_login(request, device)
            return redirect(_next(request))
        backup = None if token.isdigit() else backup_device(request.user)
        if backup is not None and backup.verify_token(token):  # one use: the code is deleted
            otp_login(request, backup)
            messages.warning(request, _("Code de secours accepté : il ne servira plus."))
            return redirect(_next(request))
        error = _(
            "Ce code n'est pas valable. Saisissez le code à 6 chiffres affiché maintenant par votre application, "
            "ou un de vos codes de secours."
        )
    return render(request, "accounts/otp.html", {"error": error, "next": _next(request)})


@sensitive_post_parameters("token")
@login_required
def otp_setup(request) -> HttpResponse:
    """First sign-in of a user who must use TOTP and has no device yet: she adds the key to her
    authenticator app and confirms with a code. Anyone else goes on."""
    if not requires_otp(request.user) or confirmed_device(request.user):
        return redirect(_next(request))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="principal", confirmed=False)
    error = ""
    if request.method == "POST":
        token = request.POST.get("token", "").strip().replace(" ", "")
        if token.isdigit() and device.verify_token(token):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            # Her backup codes, shown on this answer only (docs/security.md 17); the key is never
            # shown again: this page sends an enrolled user on.
            codes = issue_backup_codes(request.user)
            return render(request, "accounts/backup_codes.html", {"codes": codes, "next": _next(request)})
        error = _("Ce code n'est pas valable : vérifiez la clé saisie dans votre application.")
    key = base64.b32encode(device.bin_key).decode()
    context = {
        "error": error,
        "next": _next(request),
        "key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
        "setup": True,
        "qr": qr_svg(device.config_url),
    }
    return render(request, "accounts/otp.html", context)


@sensitive_variables("created")
@login_required
def tokens(request) -> HttpResponse:
    """Her own API tokens (created, last used, expires), for every signed-in user: she makes one, shown
    once on this answer only, or revokes one (docs/security.md 32)."""
    form = TokenForm(request.POST or None)
    created = ""
    if request.method == "POST" and form.is_valid():
        created = ApiToken.issue(request.user, name=form.cleaned_data["name"])
        form = TokenForm()
    context = {
        "form": form,
        "created": created,
        "tokens": tokens_of(request.user),
        "days": settings.API_TOKEN_DAYS,
    }
    return render(request, "accounts/tokens.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def token_revoke(request, pk) -> HttpResponse:
    """Revokes one of her own tokens for good; anyone else's is a 404."""
    token = get_token_for_user(request.user, pk)
    token.revoke()
    messages.success(request, _("Jeton révoqué : il n'ouvre plus l'API."))
    return redirect("accounts:tokens")


@method_decorator(
    sensitive_post_parameters("old_password", "new_password1", "new_password2"), name="dispatch"
)
class PasswordChangeView(auth_views.PasswordChangeView):
    """Every signed-in person changes her own password (her current one first). Her other sessions
    end at their next request (Django checks the password hash kept in each session); this one goes on."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Mot de passe changé. Vos autres sessions sont terminées."))
        return response


@sensitive_post_parameters("email")
def password_forgotten(request) -> HttpResponse:
    """ "Mot de passe oublié ?": she gives her address; the answer is the same page whether or not an
    account has it (nobody learns who has an account), and a link goes to each active account of it.
    Throttled per client and per address (core/throttle.py, the shared cache)."""
    form = ForgottenPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        address = hashlib.sha256(email.encode()).hexdigest()
        if not (
            throttle.allow(request, "password_reset")
            and throttle.allow(request, "password_reset_address", who=address)
        ):
            form.add_error(None, _("Trop de demandes. Réessayez dans une heure."))
            return render(request, "accounts/password_forgotten.html", {"form": form}, status=429)
        actions.forgotten_password(email, request)
        return redirect("accounts:password_forgotten_sent")
    status = 400 if form.errors else 200
    return render(request, "accounts/password_forgotten.html", {"form": form}, status=status)


def password_forgotten_sent(request) -> HttpResponse:
    return render(request, "accounts/password_forgotten_sent.html")


@login_required
def account(request) -> HttpResponse:
    """ "Mon compte": her username, e-mail, language of her e-mails, daily digest; links to her
    password, second factor and API tokens."""
    form = AccountForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Vos choix sont enregistrés."))
        if form.new_email:
            actions.ask_email_change(request.user, form.new_email, request)
            messages.info(
                request,
                _(
                    "Un lien vient d'être envoyé à %(email)s : votre adresse changera quand vous "
                    "l'ouvrirez, connectée. D'ici là, l'ancienne reste la vôtre."
                )
                % {"email": form.new_email},
            )
        return redirect("accounts:account")
    user = request.user
    context = {
        "form": form,
        "requires_otp": requires_otp(user),
        "enrolled": confirmed_device(user) is not None,
        "codes_left": backup_codes_left(user),
        "tokens": ApiToken.objects.filter(user=user).active().count(),
    }
    return render(request, "accounts/account.html", context, status=400 if form.errors else 200)


@sensitive_post_parameters("password")
@login_required
def backup_codes(request) -> HttpResponse:
    """New backup codes after she gives her password again; the old ones stop working. Only for a
    person with an enrolled authenticator; the codes are shown on this answer only."""
    if confirmed_device(request.user) is None:
        return redirect("accounts:account")
    form = PasswordConfirmForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        codes = issue_backup_codes(request.user)
        return render(
            request, "accounts/backup_codes.html", {"codes": codes, "next": reverse("accounts:account")}
        )
    context = {"form": form, "codes_left": backup_codes_left(request.user)}
    return render(request, "accounts/backup_codes_new.html", context, status=400 if form.errors else 200)


@login_required
def email_confirm(request, token) -> HttpResponse:
    """The link sent to a new address: she confirms it (a POST: a mail scanner that opens the link
    changes nothing), signed in to the account that asked."""
    try:
        email = actions.email_change_asked(request.user, token)
    except ValidationError as problem:
        return render(
            request, "accounts/email_confirm.html", {"problem": " ".join(problem.messages)}, status=400
        )
    if request.method == "POST":
        actions.confirm_email_change(request.user, token)
        messages.success(request, _("Votre adresse e-mail est maintenant %(email)s.") % {"email": email})
        return redirect("accounts:account")
    return render(request, "accounts/email_confirm.html", {"email": email})
