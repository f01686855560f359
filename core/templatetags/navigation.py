from django import template

from core.navigation import mark_current

register = template.Library()
register.filter("mark_current", mark_current)
