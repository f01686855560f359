"""The only figures that leave the listening centre (ARCHITECTURE.md: `programme` and `reports` read
`cases` through this module only).

Everything here counts cases whose holder consented to non-identifiable statistics (SECURITY.md 7),
by year, incident type, service and age band — never finer than a year here (a month at most) and
never below the commune (the whole centre). No code, name, text, date or worker leaves this module.
`suppress()` applies SECURITY.md 8 to anything shown outside the centre.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from partnerships.models import Partnership

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

THRESHOLD = 10  # listening-centre counts 1–9 are shown as "< 10"

SERVICES = {
    "ecoute": ListeningSession,
    "groupe-de-parole": GroupMembership,
    "plainte": Complaint,
    "hebergement": ShelterStay,
    "orientation": Referral,
}


def consenting(partnership: Partnership):
    """Cases of the partnership's listening centre that may be counted."""
    return Case.objects.filter(partnership=partnership, consent_statistics=True)


def _followed(qs, until: datetime.date):
    """Cases that received at least one service dated `until` at the latest."""
    condition = Q()
    for model in SERVICES.values():
        condition |= Q(Exists(model.objects.filter(case=OuterRef("pk"), date__lte=until)))
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
        qs = model.objects.filter(case__in=consenting(partnership))
        if year:
            qs = qs.filter(date__year=year)
        result[name] = qs.values("case_id").distinct().count()
    return result


@dataclass(frozen=True)
class Cell:
    """A published cell: `value` is None when hidden; `mark` says how it is shown."""

    value: int | None
    mark: str  # "" (shown), "< 10" (small cell), "×" (hidden to protect another cell)

    @property
    def hidden(self) -> bool:
        return self.value is None

    def __str__(self):
        return self.mark or str(self.value)


def _bounds(values, hidden, primary, total):
    """For each hidden cell, the smallest and largest value consistent with what is published."""
    lo = {i: (1 if i in primary else THRESHOLD) for i in hidden}
    hi = {i: (THRESHOLD - 1 if i in primary else total) for i in hidden}
    rest = total - sum(v for i, v in enumerate(values) if i not in hidden)
    ranges = {}
    for i in hidden:
        others_lo = sum(lo[j] for j in hidden if j != i)
        others_hi = sum(hi[j] for j in hidden if j != i)
        ranges[i] = (max(lo[i], rest - others_hi), min(hi[i], rest - others_lo))
    return ranges


def suppress(values: list[int], with_total: bool = True) -> tuple[list[Cell], Cell | None]:
    """SECURITY.md 8 on one row of counts and its total.

    Cells of 1–9 are shown as "< 10" (primary suppression). When a total is published, more cells
    are hidden ("×", the smallest first) until no hidden cell can be worked out from the total and
    the shown cells; if that is impossible, the total is hidden too. A total of 1–9 is itself small.
    Zeros are shown: they identify nobody.
    """
    primary = {i for i, v in enumerate(values) if 0 < v < THRESHOLD}
    total = sum(values)
    hidden = set(primary)
    total_hidden = not with_total or 0 < total < THRESHOLD
    if not total_hidden and hidden:
        while True:
            ranges = _bounds(values, hidden, primary, total)
            if all(low < high for low, high in ranges.values()):
                break
            candidates = sorted((v, i) for i, v in enumerate(values) if i not in hidden and v > 0)
            if not candidates:
                total_hidden = True
                break
            hidden.add(candidates[0][1])
    cells = [
        Cell(None, "< 10") if i in primary else Cell(None, "×") if i in hidden else Cell(v, "")
        for i, v in enumerate(values)
    ]
    if not with_total:
        return cells, None
    return cells, (Cell(None, "< 10" if 0 < total < THRESHOLD else "×") if total_hidden else Cell(total, ""))


def table(counts: dict[str, int], labels: dict, suppressed: bool, with_total: bool = True) -> dict:
    """A table for a page: rows of (label, cell) and the total, suppressed or not."""
    keys = list(counts)
    if suppressed:
        cells, total = suppress([counts[k] for k in keys], with_total)
    else:
        cells = [Cell(counts[k], "") for k in keys]
        total = Cell(sum(counts.values()), "") if with_total else None
    return {"rows": [(labels.get(k, k), c) for k, c in zip(keys, cells, strict=True)], "total": total}
