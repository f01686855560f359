from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from config.api_types import Error, Slug
from partnerships.access import get_partnership_for_user
from programme.models import cumulative

from . import figures

router = Router(tags=["indicateurs"])


class ValueOut(Schema):
    period: str
    sex: Literal["F", "M", "X", "total"]
    target: int | None
    actual: int | None
    suppressed: bool


class IndicatorOut(Schema):
    code: str
    name: str
    names: dict[str, str]
    period: Literal["annual", "cumulative"]
    values: list[ValueOut]


class YearIn(Schema):
    year: int | None = None


@router.get(
    "/partnerships/{slug}/indicators", response={200: list[IndicatorOut], 401: Error, 404: Error, 422: Error}
)
def indicators(request: HttpRequest, slug: Slug, query: Query[YearIn]) -> list[dict[str, Any]]:
    """Every indicator of a partnership with its targets and actuals by sex for a year (default: the
    current year): the year's figure for annual indicators, from the programme's start to 31 December
    of that year for cumulative ones (period "2022-Y"; the target stays the programme's). `X` (sex not
    recorded) appears where tallies carry it; `total` is the sum of the sexes. Small cells are
    suppressed for callers outside the holding service (`suppressed: true` carries `actual: null`)."""
    try:
        # ninja sets request.auth (the Grant, or the user) once the auth step passed.
        partnership, access = get_partnership_for_user(request.auth, slug)  # type: ignore[attr-defined]
    except Http404:
        raise HttpError(404, "Partenariat introuvable.") from None
    year = query.year if query.year is not None else timezone.localdate().year
    if not partnership.start_year <= year <= partnership.end_year:
        raise HttpError(
            422, f"L'année doit être comprise entre {partnership.start_year} et {partnership.end_year}."
        )
    answer = []
    for block in figures.partnership_tables(partnership, access, year):
        for table in block["tables"]:
            period, label = (
                (year, str(year)) if table.annual else (cumulative(year), f"{partnership.start_year}-{year}")
            )
            values = [
                {
                    "period": label,
                    "sex": figures.SEX_LABELS[sex],
                    "target": cell.target,
                    "actual": cell.actual,
                    "suppressed": cell.suppressed,
                }
                for sex, cell in zip(table.columns, table.row(period), strict=True)
            ]
            answer.append(
                {
                    "code": table.indicator.code,
                    "name": table.indicator.name,
                    "names": table.indicator.variants(),
                    "period": table.indicator.period,
                    "values": values,
                }
            )
    return answer
