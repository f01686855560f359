"""Whether anything refers to a row: the one check before a set-up page deletes reference data
(a structure, a target group, a result). Reads Django's own list of the relations pointing at the
model, so a relation added later is checked without anyone remembering to add it here."""

from django.db.models import Model
from django_stubs_ext import StrOrPromise


def referenced_by(obj: Model) -> list[StrOrPromise]:
    """The names (plural, translated) of the kinds of rows that point at `obj`; empty if none does."""
    names: list[StrOrPromise] = []
    for relation in obj._meta.related_objects:
        model = relation.related_model
        if not isinstance(model, type):  # a lazy reference to a model not loaded: none here
            continue
        if model._base_manager.filter(**{relation.field.name: obj}).exists():
            names.append(model._meta.verbose_name_plural or model.__name__)
    return names
