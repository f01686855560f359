"""What changes offline collection's rows; the views call these after collect/access.py let them in."""

# A — forms ------------------------------------------------------------------------------------

from partnerships.models import Structure

from .models import CollectSettings


def save_collect_settings(structure: Structure, person_label: str) -> CollectSettings:
    """The coordinator or the structure's staff (collect/access.py `may_collect`) choose what the
    phone shows of each person; the forms' next version carries it (collect/xlsforms.py)."""
    found, _created = CollectSettings.objects.update_or_create(
        structure=structure, defaults={"person_label": person_label}
    )
    return found
