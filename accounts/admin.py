"""The platform administrator's screen of accounts (docs/security.md 26).

She creates accounts and (de)activates them; she never sets or sees a password: a new account gets a
link by e-mail to choose its own, and the "change password" page of Django's admin is closed. She
never sees a second factor: django-otp's admin (which shows each TOTP key and QR code) is removed.
The accounts of the listening centre's staff are the centre coordinator's to manage: here their
address is read-only and no reset link or second-factor reset is sent to them. The same holds for
another administrator's account (managed at the command line), or one administrator could take it
over (new address, reset link, new second factor) and be the second one every appointment needs.
"""

from typing import Never

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext_lazy as _

# Imported so that django-otp's TOTPDevice admin is registered before it is removed below, whatever
# the order in which Django discovers the apps' admin modules.
from django_otp.plugins.otp_totp import admin as _otp_totp_admin  # noqa: F401
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_stubs_ext import StrOrPromise

from partnerships import actions as role_actions
from partnerships.models import CENTRE_ROLES, Membership

from .models import User

if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


class NewAccountForm(forms.ModelForm):
    """A new account without a password: its owner chooses one from the link sent to her address."""

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True

    def save(self, commit=True) -> User:
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


class AccountForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "is_active"]


def holds_centre_role(user) -> bool:
    return Membership.objects.filter(user=user, role__in=CENTRE_ROLES).exists()


def out_of_reach(user) -> StrOrPromise:
    """Why the platform admin may not touch this account's address, password link or second factor."""
    if holds_centre_role(user):
        return _("%(user)s travaille au centre d'écoute : c'est la coordinatrice du centre qui s'en charge.")
    if user.is_superuser:
        return _(
            "%(user)s administre la plateforme : son compte se gère en ligne de commande sur le serveur."
        )
    return ""


@admin.register(User)
class TwizaUserAdmin(UserAdmin):
    """Accounts; roles are Memberships (partnerships admin). Staff and superuser flags are set at the
    command line by whoever runs the server (`createsuperuser`), never here: otherwise one
    administrator could make herself the second one that every appointment needs."""

    form = AccountForm
    add_form = NewAccountForm
    add_form_template = None
    list_display = ["username", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    fieldsets = (
        (None, {"fields": ("username",)}),
        (_("Identité"), {"fields": ("first_name", "last_name", "email")}),
        (_("Statut"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "first_name", "last_name", "email")}),
    )
    actions = ["send_reset_link", "reset_second_factor"]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        fields = ["is_staff", "is_superuser", "last_login", "date_joined"]
        if obj is not None and out_of_reach(obj):
            # The reset link goes to this address: nobody may redirect it to herself.
            fields.append("email")
        return fields

    def user_change_password(self, request, id, form_url="") -> Never:
        """Closed: nobody sets another person's password (her own: the admin's own page)."""
        raise Http404

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            role_actions.send_password_reset(request.user, obj, request)

    def response_add(self, request, obj, post_url_continue=None) -> HttpResponse:
        messages.info(
            request,
            _("Un lien pour choisir son mot de passe a été envoyé à %(email)s.") % {"email": obj.email},
        )
        return super().response_add(request, obj, post_url_continue)

    def _each_within_reach(self, request, queryset, act) -> None:
        for user in queryset:
            reason = out_of_reach(user)
            if reason:
                messages.error(request, reason % {"user": user.get_username()})
                continue
            try:
                act(user)
            except ValidationError as error:
                messages.error(request, f"{user.get_username()} : {' '.join(error.messages)}")
            else:
                messages.success(request, _("%(user)s : fait.") % {"user": user.get_username()})

    @admin.action(description=_("Envoyer un lien pour choisir un nouveau mot de passe"))
    def send_reset_link(self, request, queryset) -> None:
        self._each_within_reach(
            request, queryset, lambda user: role_actions.send_password_reset(request.user, user, request)
        )

    @admin.action(description=_("Réinitialiser le second facteur"))
    def reset_second_factor(self, request, queryset) -> None:
        self._each_within_reach(
            request, queryset, lambda user: role_actions.reset_second_factor(request.user, user)
        )
