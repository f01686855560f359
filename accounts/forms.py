from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Nom du jeton"),
        max_length=80,
        required=False,
        help_text=_("Pour le reconnaître dans la liste, ex. « tableur de suivi »."),
    )
