"""The form of a participatory evaluation: what was found, learnt and decided, and who took part
(a number per target group and sex, like an activity's tally table; no names)."""

import datetime
from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from activities.forms import DateInput
from activities.models import MAX_COUNT
from people.models import TargetGroup

from .models import Evaluation, Project, Stage

MAX_TEXT = 5000  # characters of findings, lessons or follow-up (a 2 MB paste is a mistake)
TEXTS = ("findings", "lessons", "follow_up")
SEXES = (("F", _("femmes")), ("M", _("hommes")))


def _count_field(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_COUNT,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "tally-count"}),
        error_messages={
            "invalid": _("Tapez un nombre entier, par exemple 12."),
            "min_value": _("Un nombre de personnes ne peut pas être négatif."),
            "max_value": _("Plus de %(limit_value)s personnes ? Vérifiez ce nombre."),
        },
    )


class EvaluationForm(forms.ModelForm):
    """Date, findings, lessons, follow-up, and a grid of participants: `n-<group code>-<F|M>`.
    The date lies between the project's idea step and today; each text is at most MAX_TEXT long."""

    class Meta:
        model = Evaluation
        fields = ["date", "findings", "lessons", "follow_up"]
        widgets = {
            "date": DateInput,
            "findings": forms.Textarea(attrs={"rows": 4}),
            "lessons": forms.Textarea(attrs={"rows": 3}),
            "follow_up": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        for name in TEXTS:
            field = self.fields[name]
            field.max_length = MAX_TEXT  # type: ignore[attr-defined]
            field.widget.attrs["maxlength"] = str(MAX_TEXT)
            field.validators.append(
                MaxLengthValidator(
                    MAX_TEXT,
                    message=_(
                        "Ce texte est trop long : %(show_value)d caractères pour %(limit_value)d au plus. "
                        "Raccourcissez-le."
                    ),
                )
            )
        self.groups = list(TargetGroup.objects.all())
        for group in self.groups:
            for sex, sex_label in SEXES:
                self.fields[f"n-{group.code}-{sex}"] = _count_field(f"{group.label} · {sex_label}")

    @property
    def grid(self) -> list[dict]:
        """The rows the template shows: a target group and its two number fields (women, men)."""
        return [
            {"group": g, "cells": [self[f"n-{g.code}-{sex}"] for sex, _label in SEXES]} for g in self.groups
        ]

    @property
    def sexes(self) -> list:
        return [label for _sex, label in SEXES]

    def clean_date(self) -> datetime.date:
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("Une évaluation ne peut pas être datée dans le futur."))
        idea = (
            self.project.stage_changes.filter(stage=Stage.IDEA)
            .order_by("date")
            .values_list("date", flat=True)
            .first()
        )
        if idea is not None and date < idea:
            raise forms.ValidationError(
                _("Une évaluation ne peut pas précéder l'idée du projet (%(date)s).")
                % {"date": date_format(idea, "SHORT_DATE_FORMAT")}
            )
        return date

    def clean(self) -> dict[str, Any]:
        super().clean()
        if not self.errors and not any(count for _group, _sex, count in self.tallies()):
            raise forms.ValidationError(
                _("Indiquez combien de personnes ont pris part à l'évaluation (au moins un nombre).")
            )
        return self.cleaned_data

    def tallies(self) -> list[tuple[TargetGroup, str, int]]:
        """[(target group, sex, count)] of the numbers typed, for actions.record_evaluation."""
        data = self.cleaned_data
        return [
            (g, sex, data.get(f"n-{g.code}-{sex}") or 0)
            for g in self.groups
            for sex, _label in SEXES
            if data.get(f"n-{g.code}-{sex}")
        ]
