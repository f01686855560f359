"""The forms' downloads as other apps' pages list them (the import page): a template tag, so that
those apps do not import collect (which reads reports' validation)."""

from django import template

from collect import xlsforms
from collect.access import collecting_structures
from collect.models import FormKind

register = template.Library()


@register.simple_tag
def xlsform_downloads(access) -> list[tuple]:
    """(structure, kind, label) of every form of the structures she collects for (none for the
    listening centre's staff, nor for whoever records no work)."""
    if not access.records_work:
        return []
    return [
        (structure, kind, FormKind(kind).label)
        for structure in collecting_structures(access).order_by("code")
        for kind in xlsforms.forms_for(structure)
    ]
