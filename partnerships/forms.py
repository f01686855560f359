from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import Role, Structure

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
