from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from .models import STRUCTURE_ROLES, Role, Structure

if TYPE_CHECKING:
    from accounts.models import User


def _account(username: str) -> "User | None":
    return get_user_model().objects.filter(username=username.strip(), is_active=True).first()


class ProposeForm(forms.Form):
    """A platform administrator proposes the first centre coordinator of a listening centre."""

    structure = forms.ModelChoiceField(queryset=Structure.objects.none(), label=_("Centre d'écoute"))
    username = forms.CharField(label=_("Identifiant du compte"), max_length=150)

    def __init__(self, *args, centres, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["structure"]).queryset = centres

    def clean_username(self) -> "User":
        user = _account(self.cleaned_data["username"])
        if user is None:
            raise forms.ValidationError(_("Aucun compte actif ne porte cet identifiant."))
        return user


class CentreRoleForm(forms.Form):
    """The centre coordinator gives a role of her centre to an existing account. She types the
    address the person gave her: it must be the account's, so the password link reaches that person."""

    username = forms.CharField(label=_("Identifiant du compte"), max_length=150)
    email = forms.EmailField(label=_("Adresse e-mail de la personne"))
    role = forms.ChoiceField(
        label=_("Rôle"),
        choices=[
            (Role.LISTENER, Role.LISTENER.label),
            (Role.CENTRE_COORDINATOR, Role.CENTRE_COORDINATOR.label),
        ],
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        user = _account(data.get("username", ""))
        # One answer for an unknown account and a wrong address: the form reveals no one's address.
        if user is None or not data.get("email") or user.email.lower() != data["email"].lower():
            raise forms.ValidationError(
                _("Aucun compte actif ne correspond à cet identifiant et à cette adresse.")
            )
        data["user"] = user
        return data


class InviteForm(forms.Form):
    """An invitation: the person's address, the role, and the structure when the role is a
    structure's. The choices are those the inviter may give (never a centre role)."""

    email = forms.EmailField(label=_("Adresse e-mail de la personne"), max_length=254)
    role = forms.ChoiceField(label=_("Rôle"))
    structure = forms.ModelChoiceField(
        queryset=Structure.objects.none(),
        label=_("Structure"),
        required=False,
        help_text=_("Pour un rôle qui s'exerce dans une structure (agent du bureau, éducateur)."),
    )

    def __init__(self, *args, roles, structures, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [(r.value, r.label) for r in roles]
        field = cast(forms.ModelChoiceField, self.fields["structure"])
        field.queryset = structures
        if not structures.exists():
            del self.fields["structure"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        role = data.get("role")
        if role in STRUCTURE_ROLES and not data.get("structure"):
            self.add_error("structure", _("Ce rôle s'exerce dans une structure : choisissez-la."))
        elif role and role not in STRUCTURE_ROLES:
            data["structure"] = None
        return data


class RoleChangeForm(InviteForm):
    """Another role for someone already in the team (the same choices as an invitation)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["email"]


class AcceptForm(forms.Form):
    """The invited person chooses her username and her password (Django's password validators)."""

    username = forms.CharField(
        label=_("Identifiant"),
        max_length=150,
        help_text=_("Celui que vous taperez pour vous connecter : lettres, chiffres et @ . + - _"),
    )
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Mot de passe, une seconde fois"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("Cet identifiant est déjà pris : choisissez-en un autre."))
        return username

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        elif first and data.get("username"):
            candidate = get_user_model()(username=data["username"], email=self.email)
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
