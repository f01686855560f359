"""`{{ obj|tr:"field" }}`: a translatable field of reference data in the active language (French if empty).

For the name, `{{ obj.label }}` says the same. See partnerships.models.TranslatedMixin.
"""

from django import template

register = template.Library()


@register.filter
def tr(obj, field: str) -> str:
    return obj.tr(field) if obj is not None else ""
