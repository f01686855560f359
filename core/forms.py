"""Small helpers shared by the apps' forms (issue 14: forms that speak)."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator


def bound(field: forms.Field, low: int | None = None, high: int | None = None) -> forms.Field:
    """Gives a number field made from a model field the bounds a form field declared with
    `min_value`/`max_value` would have: checked in the form, so the error sits beside the field
    (never a database constraint's message at the top of the page), and `min`/`max` in the HTML."""
    for value, attr, validator in ((low, "min", MinValueValidator), (high, "max", MaxValueValidator)):
        if value is not None:
            setattr(field, f"{attr}_value", value)
            field.validators.append(validator(value))
            field.widget.attrs[attr] = value
    return field
