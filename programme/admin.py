from django.contrib import admin

from core.translations import translated_form

from .models import GovernancePrinciple, Indicator, Result, Target


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    form = translated_form(Result)
    list_display = ["code", "partnership", "level"]
    list_filter = ["partnership"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    """Targets are set here; definitions are also editable by the coordinator in the app."""

    form = translated_form(Indicator)
    list_display = ["code", "name", "result", "source", "period", "public"]
    list_filter = ["result__partnership", "source"]
    inlines = [TargetInline]


@admin.register(GovernancePrinciple)
class GovernancePrincipleAdmin(admin.ModelAdmin):
    form = translated_form(GovernancePrinciple)
    list_display = ["name", "partnership", "order"]
