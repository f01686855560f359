"""Streamed CSV exports of the registry and of activities, with the filters of their list pages.

Allow-lists (docs/security.md 9): only the columns below ever leave, and identity columns are filled only
for the records held by the exporter's own structure. No listening-centre case data is read here.
Dates are exported to the month. The same rows are written by the direct (streamed) download and by
the background job (`tasks._export`), evaluated for the user's access at the time.
"""

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from activities.forms import ActivityFilter
from activities.models import Activity, Tally
from core.spreadsheets import csv_writer
from people.access import registry_of, shows_identity, staffs_registry
from people.forms import registry_filter

PEOPLE_COLUMNS = ["code", "sexe", "annee_naissance", "publics_cibles", "structure", "mois_enregistrement"]
IDENTITY_COLUMNS = ["prenom", "nom", "telephone", "douar_quartier"]
ACTIVITY_COLUMNS = [
    "date",
    "type",
    "titre",
    "structure",
    "resultats",
    "presences",
    "comptage_femmes",
    "comptage_hommes",
    "comptage_non_precise",
]


# The filters an export keeps (the list pages' filters). The registry's search `q` is left out: it
# may be a name, and a job's parameters are stored in clear (people_queryset ignores it too).
FILTERS = {
    "personnes": ["structure", "target_group", "sex"],
    "activites": ["date_from", "date_to", "kind", "structure", "target_group"],
}
LABELS = {"personnes": _("Registre des personnes"), "activites": _("Activités")}


class Echo:
    def write(self, value: str) -> str:
        return value


def people_queryset(user, access, params) -> QuerySet:
    """The people visible to the user, filtered as on the registry page, without its search: a search
    may be a name, and an export's filters travel in its address or are stored with its job."""
    return registry_filter(params, access).apply(registry_of(user, access))


def people_rows(user, access, params) -> Iterator[list[Any]]:
    """Header then one row per person visible to the user, filtered as on the registry page."""
    people = people_queryset(user, access, params)
    with_identity = staffs_registry(access)
    yield PEOPLE_COLUMNS + (IDENTITY_COLUMNS if with_identity else [])
    people = people.select_related("structure").prefetch_related("target_groups").order_by("number")
    for person in people.iterator(chunk_size=2000):
        row = [
            person.code,
            person.sex,
            person.birth_year,
            " ".join(g.code for g in person.target_groups.all()),
            person.structure.code if person.structure else "",
            person.created_at.strftime("%Y-%m"),
        ]
        if with_identity:
            shown = shows_identity(access, person)
            row += (
                [person.first_name, person.last_name, person.phone, person.place]
                if shown
                else ["", "", "", ""]
            )
        yield row


def activity_queryset(user, access, params) -> QuerySet:
    """The activities visible to the user, filtered as on the list page."""
    partnership = access.partnership
    form = ActivityFilter(params or None, structures=partnership.structures.all())
    activities = Activity.objects.visible_to(user).filter(partnership=partnership)
    return form.apply(access.work_of(activities))


def activity_rows(user, access, params) -> Iterator[list[Any]]:
    """Header then one row per activity (counts, never who attended), filtered as on the list page."""

    def tallied(sex):
        rows = Tally.objects.filter(activity=OuterRef("pk"), sex=sex).values("activity")
        return Coalesce(Subquery(rows.annotate(t=Sum("count")).values("t"), output_field=IntegerField()), 0)

    activities = (
        activity_queryset(user, access, params)
        .select_related("structure")
        .prefetch_related("results")
        .annotate(n=Count("attendances", distinct=True), f=tallied("F"), m=tallied("M"), x=tallied("X"))
        .order_by("date", "pk")
    )
    yield ACTIVITY_COLUMNS
    for a in activities.iterator(chunk_size=2000):
        yield [
            a.date.isoformat(),
            a.kind,
            a.title,
            a.structure.code if a.structure else "",
            " ".join(r.code for r in a.results.all()),
            a.n,
            a.f,
            a.m,
            a.x,
        ]


QUERYSETS = {"personnes": people_queryset, "activites": activity_queryset}
ROWS = {"personnes": people_rows, "activites": activity_rows}


def stream_csv(rows: Iterable[list[Any]]) -> Iterator[str]:
    writer = csv_writer(Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow(row)
