"""The platform administrator's screens: networks, partnerships, organisations, structures, roles.

Only tenancy and settings are here: no person of the registry and nothing of the listening centre
is ever registered in the admin (SECURITY.md 4).
"""

from django.contrib import admin

from .models import Membership, Network, Organisation, PartnerRole, Partnership, Structure


class PartnerRoleInline(admin.TabularInline):
    model = PartnerRole
    extra = 0


class StructureInline(admin.TabularInline):
    model = Structure
    extra = 0
    exclude = ["translations"]


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "network", "start_year", "end_year"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [StructureInline, PartnerRoleInline]


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "slug"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "partnership", "structure", "network"]
    list_filter = ["role", "partnership"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]
