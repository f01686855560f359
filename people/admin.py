from django.contrib import admin

from .models import TargetGroup


@admin.register(TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin):
    """Target groups only: the registry of people is never shown in the admin."""

    list_display = ["code", "name", "order"]
