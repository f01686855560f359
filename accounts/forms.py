from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _

from .actions import address_taken
from .models import User


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Nom du jeton"),
        max_length=80,
        required=False,
        help_text=_("Pour le reconnaître dans la liste, ex. « tableur de suivi »."),
    )


def is_her_password(request, password: str) -> bool:
    """Through `authenticate`, so that django-axes counts a wrong guess as it does at sign-in
    (docs/security.md 16): a borrowed session cannot be used to guess her password."""
    user = request.user
    return authenticate(request, username=user.get_username(), password=password) is not None


class ForgottenPasswordForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"), max_length=254)


class PasswordConfirmForm(forms.Form):
    """Her current password, asked again before a change that matters (e-mail, backup codes)."""

    password = forms.CharField(
        label=_("Votre mot de passe actuel"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not is_her_password(self.request, password):
            raise forms.ValidationError(_("Ce mot de passe n'est pas le vôtre."))
        return password


class AccountForm(forms.ModelForm):
    """Her e-mail (a change asks her password), the language of her e-mails, the daily digest."""

    password = forms.CharField(
        label=_("Mot de passe actuel (seulement pour changer d'adresse e-mail)"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    class Meta:
        model = User
        fields = ["email", "language", "daily_digest"]
        labels = {"email": _("Adresse e-mail"), "language": _("Langue de vos e-mails")}

    def __init__(self, data=None, *, request) -> None:
        super().__init__(data, instance=request.user)
        self.request = request
        self.fields["email"].required = True
        self.stored_email = self.instance.email

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        email = cleaned.get("email")
        changed = email is not None and email.lower() != (self.stored_email or "").lower()
        if changed and not is_her_password(self.request, cleaned.get("password") or ""):
            self.add_error(
                "password", _("Saisissez votre mot de passe actuel pour changer d'adresse e-mail.")
            )
        elif changed and email is not None and address_taken(email, self.instance):
            self.add_error("email", _("Un autre compte utilise déjà cette adresse."))
        self.new_email = email if changed else None
        return cleaned

    def save(self, commit: bool = True) -> User:
        """Saves her choices; a new address waits for its confirmation (accounts.actions)."""
        self.instance.email = self.stored_email
        return super().save(commit)
