from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from core.locking import Versioned

from . import kobo


class NarrativeForm(Versioned):
    text = forms.CharField(label=_("Récit"), widget=forms.Textarea(attrs={"rows": 12}), required=False)
    final = forms.BooleanField(label=_("Version finale (le récit sera verrouillé)"), required=False)


IMPORT_KINDS = [(k, label) for k, label in Activity.Kind.choices if k != Activity.Kind.COMMITTEE]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type d'activité"), choices=IMPORT_KINDS)
    file = forms.FileField(label=_("Export KoboToolbox ou ODK (XLSX ou CSV)"))

    MAX_BYTES = 200 * 1024 * 1024

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Choisissez un fichier .xlsx ou .csv."))
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("Fichier trop volumineux (200 Mo au plus)."))
        return upload


class MappingForm(forms.Form):
    """One select per field: which column of the file feeds it."""

    def __init__(self, *args, headers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(c, c) for c in kobo.column_choices(headers)]
        for f in kobo.FIELDS:
            self.fields[f.key] = forms.ChoiceField(label=f.label, choices=choices, required=f.required)
