"""Optimistic locking, the one mechanism of every edit form (docs/security.md 21).

Every editable model has an integer `version`. Its edit form carries, in a hidden field, the version
it was read at (`Versioned`); the action that saves the edit first calls `claim(obj, seen)`: one
`UPDATE … SET version = seen + 1 WHERE pk = … AND version = seen`, in the action's transaction. Of two
saves read at the same version exactly one matches the row: on PostgreSQL the second UPDATE waits for
the first transaction's row lock, then re-reads the row and matches nothing; SQLite has one writer at
a time. The loser changes nothing and gets `Stale`; the view then calls `refuse`, which re-renders
the form with what she typed, the other person's values beside it, and the current version, so that
saving again is a deliberate overwrite, made knowing what it replaces.

A check of `updated_at` in the form's `clean` (what activities and people did before) is a read
followed by a write: two requests can both pass it. Only the conditional UPDATE cannot.
"""

import datetime
from typing import Any, TypeVar

from django import forms
from django.db import models, transaction
from django.db.models import Model
from django.forms.models import model_to_dict
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

_M = TypeVar("_M", bound=Model)

# Beyond 32 bits a tampered version is a clear form error, not a database overflow (docs/security.md 23).
MAX_VERSION = 2**31 - 1


class Stale(Exception):
    """The object was saved by someone else since the form was read: nothing was written."""


def claim(obj: Any, seen: int, **changes) -> None:  # obj: a model with a `version` field
    """Moves `obj` from version `seen` to the next, writing `changes` in the same UPDATE, or raises
    Stale. Call it first inside the action's transaction, so a refusal rolls back the whole save."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("claim() must run inside the saving action's transaction")
    matched = type(obj)._base_manager.filter(pk=obj.pk, version=seen).update(version=seen + 1, **changes)
    if not matched:
        raise Stale
    obj.version = seen + 1
    for name, value in changes.items():
        setattr(obj, name, value)


@transaction.atomic
def save_edit(form: forms.BaseModelForm[_M]) -> _M:
    """Saves a valid `Versioned` model form whose save touches nothing else: the instance's version is
    claimed first, so a stale save raises Stale and writes nothing. A new object is simply created."""
    if form.instance.pk is not None:
        claim(form.instance, form.cleaned_data["version"])
    return form.save()


class Versioned(forms.Form):
    """Base of an edit form: the hidden version it was read at. A model form takes it from its
    instance; another form from its `initial`. Required when editing, ignored when creating."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=MAX_VERSION)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk is None:
            self.fields["version"].required = False
        elif instance is not None:
            self.initial.setdefault("version", instance.version)
        self.stale = False
        self.conflicts: list[tuple[StrOrPromise, str, str]] = []

    def clean_version(self) -> int:
        version = self.cleaned_data.get("version")
        return 0 if version is None else version


def _shown(field: forms.Field, value) -> str:
    """A value as the form shows it: a name for a chosen row, a label for a choice, a written date."""
    if isinstance(field, forms.ModelMultipleChoiceField):
        items = list(value or [])
        if items and not isinstance(items[0], models.Model) and field.queryset is not None:
            items = list(field.queryset.filter(pk__in=items))
        return ", ".join(sorted(str(field.label_from_instance(item)) for item in items)) or "—"
    if isinstance(field, forms.ModelChoiceField):
        if value not in (None, "") and not isinstance(value, models.Model) and field.queryset is not None:
            value = field.queryset.filter(pk=value).first()
        return str(field.label_from_instance(value)) if value else "—"
    if value in (None, "", [], ()):
        return "—"
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, list | tuple | set):
        choices = dict(getattr(field, "choices", []))
        return ", ".join(sorted(str(choices.get(v, v)) for v in value))
    if isinstance(field, forms.ChoiceField):
        # A form field normalises its choices to (value, label) pairs; django-stubs types what it accepts.
        return str(dict(field.choices).get(value, value))  # type: ignore[arg-type]
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    return str(value)


STALE_MESSAGE = gettext_lazy(
    "Quelqu'un d'autre a enregistré cette fiche depuis que vous l'avez ouverte : vos changements "
    "n'ont pas été enregistrés. Votre saisie est gardée ci-dessous, à côté de ce qu'il ou elle a "
    "enregistré ; enregistrez à nouveau pour remplacer sa version par la vôtre."
)


def refuse(form: Versioned, current: Any, **extra) -> None:
    """Shows a Stale refusal on the bound, valid `form`: the message; `form.conflicts`, the fields
    where the value saved in `current` (the row as it is now; `extra` for form fields that are not
    model fields) differs from the typed one, as (label, saved, typed); and the current version in
    the hidden field, so that what she typed stays in the form and saving it again replaces the other
    person's version knowingly."""
    saved_values = {**model_to_dict(current), "version": current.version, **extra}
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict or a dict: both copy
    data[form.add_prefix("version")] = str(saved_values["version"])
    form.data = data
    form.add_error(None, STALE_MESSAGE)
    form.stale = True  # the view answers 409 Conflict
    for name, field in form.fields.items():
        if name == "version" or name not in saved_values:
            continue
        saved, typed = _shown(field, saved_values[name]), _shown(field, form.cleaned_data.get(name))
        if saved != typed:
            form.conflicts.append((field.label or name, saved, typed))
