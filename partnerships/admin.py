"""The platform administrator's screens: networks, partnerships, organisations, structures, roles.

Only tenancy and settings are here: no person of the registry and nothing of the listening centre
is ever registered in the admin (docs/security.md 4). The roles of the listening centre are not given,
changed or taken here, superuser or not (docs/security.md 26): see partnerships/actions.py.
"""

from typing import cast

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.translations import translated_form

from .models import CENTRE_ROLES, Membership, Network, Organisation, PartnerRole, Partnership, Structure


class PartnerRoleInline(admin.TabularInline):
    model = PartnerRole
    form = translated_form(PartnerRole)
    extra = 0


class StructureInline(admin.TabularInline):
    model = Structure
    form = translated_form(Structure)
    extra = 0


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    form = translated_form(Partnership)
    list_display = ["name", "slug", "network", "start_year", "end_year"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [StructureInline, PartnerRoleInline]


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    form = translated_form(Network)
    list_display = ["name", "slug"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = translated_form(Organisation)
    list_display = ["name", "kind", "country"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "slug"]


CENTRE_ROLES_ELSEWHERE = _(
    "Les rôles du centre d'écoute ne s'accordent pas ici : la première coordinatrice est nommée par "
    "deux administratrices (page « Nomination » du partenariat), les suivants par la coordinatrice du centre."
)


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "role", "network", "partnership", "structure"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "role" in self.fields:  # absent on the read-only page of a centre role
            role = cast(forms.ChoiceField, self.fields["role"])
            # Normalised by the field to (value, label) pairs; django-stubs types all it accepts.
            shown: list[tuple[str, str]] = role.choices  # type: ignore[assignment]
            role.choices = [c for c in shown if c[0] not in CENTRE_ROLES]

    def clean_role(self) -> str:
        # The choice list hides them; a forged POST is refused here too.
        role = self.cleaned_data["role"]
        if role in CENTRE_ROLES:
            raise forms.ValidationError(CENTRE_ROLES_ELSEWHERE)
        return role


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Roles other than the centre's. A centre role is shown read-only: it cannot be added, changed
    or deleted here, nor deleted with its user or structure (Django checks this permission for every
    row a deletion would cascade to)."""

    form = MembershipForm
    list_display = ["user", "role", "partnership", "structure", "network"]
    list_filter = ["role", "partnership"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.role in CENTRE_ROLES:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.role in CENTRE_ROLES:
            return False
        return super().has_delete_permission(request, obj)
