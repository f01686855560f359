from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from core.locking import Versioned
from programme.models import GovernancePrinciple, Result

from . import documents
from .models import Audience, GoodPractice, Link


class PracticeForm(Versioned, forms.ModelForm):
    class Meta:
        model = GoodPractice
        fields = [
            "kind",
            "title",
            "summary",
            "lessons",
            "title_ar",
            "summary_ar",
            "lessons_ar",
            "structure",
            "activity",
            "result",
            "target_groups",
            "principles",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "lessons": forms.Textarea(attrs={"rows": 5}),
            "title_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
            "summary_ar": forms.Textarea(attrs={"rows": 4, "dir": "rtl", "lang": "ar"}),
            "lessons_ar": forms.Textarea(attrs={"rows": 4, "dir": "rtl", "lang": "ar"}),
            "target_groups": forms.CheckboxSelectMultiple,
            "principles": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, partnership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["structure"]).queryset = partnership.structures.all()
        cast(forms.ModelChoiceField, self.fields["activity"]).queryset = Activity.objects.filter(
            partnership=partnership
        ).only("date", "title")
        cast(forms.ModelChoiceField, self.fields["result"]).queryset = Result.objects.filter(
            partnership=partnership
        )
        cast(forms.ModelChoiceField, self.fields["principles"]).queryset = GovernancePrinciple.objects.filter(
            partnership=partnership
        )


class PublishForm(forms.Form):
    audience = forms.ChoiceField(label=_("Publier pour"), choices=Audience.choices)


class AttachmentForm(forms.Form):
    display_name = forms.CharField(
        label=_("Nom affiché"),
        max_length=120,
        help_text=_("Choisissez un nom qui ne désigne aucune personne, ex. « Brochure 2024 »."),
    )
    file = forms.FileField(label=_("Fichier (PDF, PNG ou JPEG, 10 Mo au plus)"))

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        self.content_type = documents.check(upload)
        return upload


class LinkForm(forms.ModelForm):
    url = forms.URLField(label=_("Adresse"), max_length=500, assume_scheme="https")

    class Meta:
        model = Link
        fields = ["label", "url"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if not url.lower().startswith(("https://", "http://")):
            raise ValidationError(_("Seules les adresses http:// ou https:// sont acceptées."))
        return url


class ProjectPrinciplesForm(forms.Form):
    principles = forms.ModelMultipleChoiceField(
        label=_("Principes de bonne gouvernance appliqués"),
        queryset=GovernancePrinciple.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, partnership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["principles"]).queryset = GovernancePrinciple.objects.filter(
            partnership=partnership
        )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Rechercher"), max_length=100, required=False)
