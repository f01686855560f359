from django import forms
from django.utils.translation import gettext_lazy as _

from partnerships.models import Structure

# B — devices.


class DeviceForm(forms.Form):
    """A new device password: for which of her structures, and a name to recognise the phone by."""

    structure = forms.ModelChoiceField(label=_("Structure"), queryset=Structure.objects.none())
    label = forms.CharField(
        label=_("Nom de l'appareil"),
        max_length=100,
        help_text=_("Par exemple « téléphone de Fatima » : pour le reconnaître dans la liste."),
    )

    def __init__(self, *args, structures, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = structures  # type: ignore[attr-defined]
        if len(structures) == 1:
            self.fields["structure"].initial = structures[0]
