"""The only figures that leave the listening centre (docs/architecture.md: `programme` and `reports` read
`cases` through this module only).

Everything here counts cases whose holder consented to non-identifiable statistics (docs/security.md 7),
by year, incident type, service and age band — never finer than a year here (a month at most) and
never below the commune (the whole centre). No code, name, text, date or worker leaves this module.
`published()` applies docs/security.md 8 (core/disclosure.py) to what is shown outside the centre.
"""

import datetime
from collections import Counter
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from core.disclosure import THRESHOLDS, Cell, at_most, protect, total
from partnerships.models import Partnership
from programme.models import Indicator, Target

from .models import (
    AgeBand,
    Case,
    Complaint,
    GroupMembership,
    Incident,
    IncidentType,
    ListeningSession,
    Referral,
    ShelterStay,
)

THRESHOLD = THRESHOLDS["centre"]  # listening-centre counts 1–9 are shown as "< 10"

SERVICES = {
    "ecoute": ListeningSession,
    "groupe-de-parole": GroupMembership,
    "plainte": Complaint,
    "hebergement": ShelterStay,
    "orientation": Referral,
}


def consenting(partnership: Partnership) -> QuerySet[Case]:
    """Cases of the partnership's listening centre that may be counted."""
    return Case.objects.filter(partnership=partnership, consent_statistics=True)


def _followed(qs, until: datetime.date) -> QuerySet:
    """Cases that received at least one service dated `until` at the latest."""
    condition = Q()
    for model in SERVICES.values():
        condition |= Q(Exists(model._default_manager.filter(case=OuterRef("pk"), date__lte=until)))
    return qs.filter(condition)


def women_followed(partnership: Partnership, year: int | None = None) -> dict[str, int]:
    """OC.1: distinct consenting women with a case followed (at least one service) by the centre,
    cumulative from the programme's start to 31 December of `year` (the whole programme when None).

    A woman counts from the date of her case's first service, never before, and never for a date
    after today: a case opened and a service given by the end of that year and by today."""
    last = partnership.end_year if year is None else min(year, partnership.end_year)
    until = min(datetime.date(last, 12, 31), timezone.localdate())
    qs = consenting(partnership).filter(
        opened_on__gte=datetime.date(partnership.start_year, 1, 1), opened_on__lte=until
    )
    return {"F": _followed(qs, until).count()}


def women_followed_by_year(partnership: Partnership) -> dict[int, int]:
    """{Y: women_followed(partnership, Y)} for every year of the programme, in one query: a case
    counts from the later of its opening and its first service, if that day has come."""
    firsts = {
        f"first_{i}": Subquery(
            model._default_manager.filter(case=OuterRef("pk")).order_by("date").values("date")[:1]
        )
        for i, model in enumerate(SERVICES.values())
    }
    rows = (
        consenting(partnership)
        .filter(opened_on__gte=datetime.date(partnership.start_year, 1, 1))
        .annotate(**firsts)
        .values_list("opened_on", *firsts)
    )
    today = timezone.localdate()
    counted: Counter[int] = Counter()
    for opened_on, *services in rows:
        dates = [d for d in services if d is not None]
        if dates and max(opened_on, min(dates)) <= today:
            counted[max(opened_on, min(dates)).year] += 1
    running, result = 0, {}
    for year in partnership.years:
        running += counted[year]
        result[year] = running
    return result


def followed_target(partnership: Partnership) -> int | None:
    """The programme's target of women followed (OC.1: 150), from the results framework."""
    target = (
        Target.objects.filter(
            indicator__result__partnership=partnership,
            indicator__source=Indicator.Source.CASES,
            year__isnull=True,
            sex__in=["F", "T"],
        )
        .order_by("sex")
        .first()
    )
    return target.value if target else None


def by_year(partnership: Partnership) -> dict[str, int]:
    counts = Counter(str(d.year) for d in consenting(partnership).values_list("opened_on", flat=True))
    return {str(year): counts.get(str(year), 0) for year in partnership.years}


def by_age_band(partnership: Partnership, year: int | None = None) -> dict[str, int]:
    qs = consenting(partnership)
    if year:
        qs = qs.filter(opened_on__year=year)
    counts = Counter(qs.values_list("age_band", flat=True))
    return {band: counts.get(band, 0) for band in AgeBand.values}


def by_incident_type(partnership: Partnership, year: int | None = None) -> dict[str, int]:
    """Cases with at least one incident of each type (a case may count under several types)."""
    qs = Incident.objects.filter(case__in=consenting(partnership))
    if year:
        qs = qs.filter(case__opened_on__year=year)
    pairs = set(qs.values_list("type", "case_id"))
    counts = Counter(kind for kind, _case in pairs)
    return {kind: counts.get(kind, 0) for kind in IncidentType.values}


def by_service(partnership: Partnership, year: int | None = None) -> dict[str, int]:
    """Cases that received each service (a case may count under several services)."""
    result = {}
    for name, model in SERVICES.items():
        qs = model._default_manager.filter(case__in=consenting(partnership))
        if year:
            qs = qs.filter(date__year=year)
        result[name] = qs.values("case_id").distinct().count()
    return result


def published(partnership, year: int | None, suppressed: bool) -> dict:
    """The statistics page's tables, protected together (docs/security.md 8) since a reader can relate
    them: {"by_year", "by_age", "by_incident", "by_service": {"rows": {key: Cell}, "total": Cell or
    None}, "followed": Cell, or None outside the centre}.

    The age bands add up to the cases of the year (of every year: at least the cases of the
    programme's years); a case counted under an incident type, or a service when no year is chosen,
    is one of those cases; the women followed (OC.1) are among the cases of the programme's years.
    Outside the centre OC.1 is left out: the dashboard publishes it with the one disclosure of every
    indicator, so that a cell is never shown on one page and hidden on another.
    """
    tables = {
        "by_year": (by_year(partnership), True),
        "by_age": (by_age_band(partnership, year), True),
        "by_incident": (by_incident_type(partnership, year), False),
        "by_service": (by_service(partnership, year), False),
    }
    values: dict[tuple[str, str | None], int] = {
        (name, key): n for name, (counts, _t) in tables.items() for key, n in counts.items()
    }
    relations = []
    for name, (counts, with_total) in tables.items():
        if with_total:
            values[(name, None)] = sum(counts.values())
            relations.append(total([(name, key) for key in counts], (name, None)))
    if not suppressed:  # outside the centre OC.1 is published once, by the indicators' disclosure
        values[("followed", None)] = women_followed(partnership)["F"]
    cases = ("by_age", None)
    relations.append(total([cases], ("by_year", str(year))) if year else at_most(("by_year", None), cases))
    relations += [at_most(("by_incident", key), cases) for key in tables["by_incident"][0]]
    if not year:
        relations += [at_most(("by_service", key), cases) for key in tables["by_service"][0]]
    if not suppressed:
        relations.append(at_most(("followed", None), ("by_year", None)))
    cells = protect(values, relations, THRESHOLD) if suppressed else {k: Cell(v) for k, v in values.items()}
    result: dict[str, Any] = {
        name: {
            "rows": {key: cells[(name, key)] for key in counts},
            "total": cells[(name, None)] if with_total else None,
        }
        for name, (counts, with_total) in tables.items()
    }
    result["followed"] = cells.get(("followed", None))
    return result
