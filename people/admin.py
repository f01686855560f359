from django.contrib import admin

from core.translations import translated_form

from .models import TargetGroup


@admin.register(TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin):
    """Target groups only: the registry of people is never shown in the admin."""

    form = translated_form(TargetGroup)
    list_display = ["code", "name", "order"]
