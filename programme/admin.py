from django.contrib import admin

from core.translations import translated_form

from .models import GovernancePrinciple, Result

# IndicatorAdmin is in indicators/admin.py: it saves through indicators' action.


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    form = translated_form(Result)
    list_display = ["code", "partnership", "level"]
    list_filter = ["partnership"]


@admin.register(GovernancePrinciple)
class GovernancePrincipleAdmin(admin.ModelAdmin):
    form = translated_form(GovernancePrinciple)
    list_display = ["name", "partnership", "order"]
