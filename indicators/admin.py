from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.translations import translated_form
from programme.models import Indicator, Target

from . import actions
from .forms import add_definition_errors


class TargetInline(admin.TabularInline[Target, Indicator]):
    model = Target
    extra = 0


class IndicatorAdminForm(translated_form(Indicator)):  # type: ignore[misc]  # a base made at run time
    """Refuses, on its fields, a definition the engine cannot count (as `save_indicator` does)."""

    def _post_clean(self) -> None:
        super()._post_clean()
        add_definition_errors(self)


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin[Indicator]):
    """Targets are set here; definitions are also editable by the coordinator in the app. Here, beside
    programme's other admin pages, because a definition is saved through `save_indicator`, which
    recounts the derived values (the admin must not leave the figures of the old definition)."""

    form = IndicatorAdminForm
    list_display = ["code", "name", "result", "source", "period", "public"]
    list_filter = ["result__partnership", "source"]
    inlines = [TargetInline]

    def save_model(self, request: HttpRequest, obj: Indicator, form: Any, change: bool) -> None:
        actions.save_indicator(obj)
