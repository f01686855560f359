from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class TwizaUserAdmin(UserAdmin):
    """The platform administrator manages accounts; roles are Memberships (partnerships admin)."""

    list_display = ["username", "first_name", "last_name", "is_active", "is_staff", "last_login"]
