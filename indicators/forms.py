"""What the indicator forms share: the engine's own check of a definition, shown on its fields."""

from typing import Any

from django import forms

from . import engine


def add_definition_errors(form: "forms.ModelForm[Any]") -> None:
    """Puts `engine.definition_errors` of the form's indicator on its fields (a filter its source
    does not read, an unknown code), so the form says what `actions.save_indicator` would refuse.
    Call it from the form's `_post_clean`, once the instance holds what was typed."""
    if form.instance.result_id is None:
        return
    for name, message in engine.definition_errors(form.instance).items():
        if name in form.fields and name not in form.errors:
            form.add_error(name, message)
