"""The structure's choices for its forms (collect/xlsforms.py reads them)."""

from django import forms

from .models import CollectSettings


class CollectSettingsForm(forms.ModelForm):
    class Meta:
        model = CollectSettings
        fields = ["person_label"]
        widgets = {"person_label": forms.RadioSelect}
