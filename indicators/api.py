from typing import Literal

from django.http import Http404
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from accounts.api import Error
from partnerships.access import get_partnership_for_user
from partnerships.api import Slug
from programme.models import PROGRAMME, Indicator

from . import figures

router = Router(tags=["indicateurs"])


class ValueOut(Schema):
    period: str
    sex: Literal["F", "M", "total"]
    target: int | None
    actual: int | None
    suppressed: bool


class IndicatorOut(Schema):
    code: str
    name: str
    period: Literal["annual", "cumulative"]
    values: list[ValueOut]


class YearIn(Schema):
    year: int | None = None


@router.get(
    "/partnerships/{slug}/indicators", response={200: list[IndicatorOut], 401: Error, 404: Error, 422: Error}
)
def indicators(request, slug: Slug, query: Query[YearIn]):
    """Every indicator of a partnership with its targets and actuals by sex, for a year (annual
    indicators; default: the current year) or the programme (cumulative indicators). Small cells are
    suppressed for callers outside the holding service (`suppressed: true` carries `actual: null`)."""
    try:
        partnership, access = get_partnership_for_user(request.auth, slug)
    except Http404:
        raise HttpError(404, "Partenariat introuvable.") from None
    from django.utils import timezone

    year = query.year if query.year is not None else timezone.localdate().year
    if not partnership.start_year <= year <= partnership.end_year:
        raise HttpError(
            422, f"L'année doit être comprise entre {partnership.start_year} et {partnership.end_year}."
        )
    answer = []
    programme_label = f"{partnership.start_year}-{partnership.end_year}"
    for block in figures.partnership_tables(partnership, access, years=[year]):
        for table in block["tables"]:
            annual = table.indicator.period == Indicator.Period.ANNUAL
            period, label = (year, str(year)) if annual else (PROGRAMME, programme_label)
            values = [
                {
                    "period": label,
                    "sex": "total" if sex == "T" else sex,
                    "target": cell.target,
                    "actual": cell.actual,
                    "suppressed": cell.suppressed,
                }
                for sex, cell in zip(figures.SEXES, table.row(period), strict=True)
            ]
            answer.append(
                {
                    "code": table.indicator.code,
                    "name": table.indicator.label,
                    "period": table.indicator.period,
                    "values": values,
                }
            )
    return answer
