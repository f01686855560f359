"""The partnership as an IATI 2.03 activity file: the douars where it works (locations), the yearly
budgets and planned disbursements of its projects, their spending (transactions), and results,
indicators, baselines, periods, targets and actuals with the sex dimension.

The file is a publication: its figures are always suppressed as for someone outside the services
(docs/security.md 8), whoever downloads it; a hidden actual is left out, with a comment saying why.
Texts are French, with a narrative per translation (`xml:lang`) where the reference data has one.
Element order follows the 2.03 schema (checked against the official XSD in the tests).

Money is exact: a year's budget is the direct sum, in dirhams, of the partnership's budget lines of
that year (`BudgetLine.in_mad`, each line at its own rate); its status is "indicative" (1), since a
line is a planned amount ("montant prévu") and the app records no signed commitment. Its value-date
is the year's 1 January (the amounts are dirhams already: nothing is left to convert). A planned
disbursement is the same sum per year and funder, with the funder as provider-org (names only: the
organisations have no IATI identifier, except the reporting commune's placeholder). A transaction is
one spending (expenditure), in its line's currency at its line's rate date, described by its
budget line's category (a fixed label) — never its document reference, label or recorder, and never
the "autre bailleur" free text (docs/security.md 9: no free text leaves a service).
"""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from xml.etree import ElementTree as ET

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from activities.models import Activity
from core.translations import other_languages
from indicators import figures
from partnerships.access import Access
from partnerships.models import Douar, Organisation, Structure
from programme.models import is_cumulative, period_year
from projects.models import BudgetLine, Project, Spending

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _narrative(parent, tag: str, text: str, variants: dict[str, str] | None = None, **attrs) -> ET.Element:
    """An element with its French narrative, then one per translation (`variants`, by language)."""
    element = ET.SubElement(parent, tag, {k.replace("_", "-"): str(v) for k, v in attrs.items()})
    ET.SubElement(element, "narrative").text = text
    for lang, variant in (variants or {}).items():
        ET.SubElement(element, "narrative", {XML_LANG: lang}).text = variant
    return element


def _coded(code: str, obj) -> tuple[str, dict[str, str]]:
    """ "R1 statement" in French and in each language it is translated to."""
    return f"{code} {obj.name}", {lang: f"{code} {text}" for lang, text in obj.variants().items()}


def _description(partnership) -> tuple[str, dict[str, str]]:
    return _in_languages(
        lambda: (
            _("Partenariat de coopération communale %(start)s–%(end)s.")
            % {"start": partnership.start_year, "end": partnership.end_year}
        )
    )


def _in_languages(text: Callable[[], str]) -> tuple[str, dict[str, str]]:
    """`text()` in French, and in each other language where its translation differs."""
    with translation.override("fr"):
        french = text()
    variants = {}
    for lang, _name in other_languages():
        with translation.override(lang):
            variants[lang] = text()
    return french, {lang: variant for lang, variant in variants.items() if variant != french}


def org_ref(partnership) -> str:
    """The reporting organisation's IATI identifier; a placeholder until the commune registers one."""
    return getattr(settings, "TWIZA_IATI_ORG_REF", "") or f"XI-TWIZA-{partnership.network.slug}"


def _period_bounds(partnership, period) -> tuple[dt.date, dt.date]:
    """A year, or a cumulative period from the programme's start to 31 December of its year."""
    if is_cumulative(period):
        return dt.date(partnership.start_year, 1, 1), dt.date(period_year(period), 12, 31)
    return dt.date(period, 1, 1), dt.date(period, 12, 31)


def _value_element(parent, tag: str, value, sex: str | None, comment: str = "") -> ET.Element:
    element = ET.SubElement(parent, tag, {} if value is None else {"value": str(value)})
    if sex in ("F", "M"):
        ET.SubElement(element, "dimension", {"name": "sex", "value": sex})
    if comment:
        _narrative(element, "comment", comment)
    return element


def activity_file(partnership) -> bytes:
    """The IATI 2.03 XML of the partnership (one iati-activity), UTF-8."""
    now = timezone.now().replace(microsecond=0).isoformat()
    root = ET.Element("iati-activities", {"version": "2.03", "generated-datetime": now})
    activity = ET.SubElement(
        root,
        "iati-activity",
        {"last-updated-datetime": now, XML_LANG: "fr", "default-currency": "EUR", "hierarchy": "1"},
    )
    ref = org_ref(partnership)
    ET.SubElement(activity, "iati-identifier").text = f"{ref}-{partnership.slug}"
    _narrative(activity, "reporting-org", "Commune de Jette", ref=ref, type="10")
    _narrative(activity, "title", partnership.name, partnership.variants())
    _narrative(activity, "description", *_description(partnership), type="1")
    for commune in partnership.communes.all():
        _narrative(activity, "participating-org", commune.name, commune.variants(), role="4", type="10")
    ET.SubElement(activity, "activity-status", {"code": "2"})
    ET.SubElement(activity, "activity-date", {"iso-date": f"{partnership.start_year}-01-01", "type": "2"})
    ET.SubElement(activity, "activity-date", {"iso-date": f"{partnership.end_year}-12-31", "type": "3"})
    ET.SubElement(activity, "recipient-country", {"code": "MA", "percentage": "100"})
    for douar in douars(partnership):
        _location(activity, douar)
    lines = list(BudgetLine.objects.filter(project__partnership=partnership).order_by("year", "pk"))
    for year, total in budgets(lines).items():
        budget = ET.SubElement(activity, "budget", {"type": "1", "status": "1"})
        _year_value(budget, year, total)
    for (year, funder), total in planned_disbursements(lines).items():
        planned = ET.SubElement(activity, "planned-disbursement", {"type": "1"})
        _year_value(planned, year, total)
        _provider(planned, partnership, funder)
    spendings = (
        Spending.objects.filter(line__project__partnership=partnership)
        .select_related("line")
        .order_by("date", "pk")
    )
    for spending in spendings:
        _transaction(activity, spending)
    public = Access(partnership)  # no role: every small cell is hidden, as for the public
    for block in figures.partnership_tables(partnership, public):
        result = block["result"]
        tables = [t for t in block["tables"] if t.available]
        if not tables:
            continue  # the schema wants at least one indicator per result
        element = ET.SubElement(
            activity, "result", {"type": "2" if result.level == "outcome" else "1", "aggregation-status": "0"}
        )
        _narrative(element, "title", *_coded(result.code, result))
        for table in tables:
            _indicator(element, partnership, table)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def douars(partnership) -> list[Douar]:
    """The partnership's douars where one of its projects works or one of its activities took place.
    A listening centre's activity or project places nothing finer than the commune (docs/security.md 9)."""
    held = (
        Activity.objects.filter(partnership=partnership, douar__isnull=False)
        .exclude(structure__kind=Structure.Kind.LISTENING_CENTRE)
        .values("douar")
    )
    served = (
        Project.objects.filter(partnership=partnership, douars__isnull=False)
        .exclude(structure__kind=Structure.Kind.LISTENING_CENTRE)
        .values("douars")
    )
    return list(
        Douar.objects.filter(partnership=partnership)
        .filter(Q(pk__in=served) | Q(pk__in=held))
        .distinct()
        .order_by("name", "pk")
    )


def budgets(lines) -> dict[int, Decimal]:
    """{year: planned amount in dirhams}, each line at its own rate, by year."""
    totals: dict[int, Decimal] = {}
    for line in lines:
        totals[line.year] = totals.get(line.year, Decimal(0)) + line.in_mad()
    return dict(sorted(totals.items()))


def planned_disbursements(lines) -> dict[tuple[int, str], Decimal]:
    """{(year, funder): planned amount in dirhams}, in the order of the years, then of the funders."""
    order = list(BudgetLine.Funder.values)
    totals: dict[tuple[int, str], Decimal] = {}
    for line in lines:
        key = (line.year, line.funder)
        totals[key] = totals.get(key, Decimal(0)) + line.in_mad()
    return dict(sorted(totals.items(), key=lambda item: (item[0][0], order.index(item[0][1]))))


def _amount(value: Decimal) -> str:
    return f"{value:f}"


def _year_value(parent, year: int, total: Decimal) -> None:
    """period-start, period-end (the calendar year) and the value in dirhams."""
    ET.SubElement(parent, "period-start", {"iso-date": f"{year}-01-01"})
    ET.SubElement(parent, "period-end", {"iso-date": f"{year}-12-31"})
    ET.SubElement(parent, "value", {"currency": "MAD", "value-date": f"{year}-01-01"}).text = _amount(total)


def _provider(parent, partnership, funder: str) -> None:
    """Who pays: a commune of the partnership by its name (Jette with the reporting organisation's
    identifier, as it is the reporting organisation), the federal programme or another funder by the
    funder's label — never `funder_other`, a free text."""
    kinds: dict[str, str] = {
        BudgetLine.Funder.JETTE: Organisation.Kind.BELGIAN_COMMUNE,
        BudgetLine.Funder.COMMUNE: Organisation.Kind.COMMUNE,
    }
    attrs = {}
    if funder == BudgetLine.Funder.JETTE:
        attrs["ref"] = org_ref(partnership)
    if funder != BudgetLine.Funder.OTHER:
        attrs["type"] = "10"  # government: a commune, or the Belgian federal programme
    communes = list(partnership.communes.filter(kind=kinds[funder])) if funder in kinds else []
    if len(communes) == 1:
        name, variants = communes[0].name, communes[0].variants()
    else:
        label = BudgetLine.Funder(funder).label
        name, variants = _in_languages(lambda: capfirst(str(label)))
    element = ET.SubElement(parent, "provider-org", attrs)
    ET.SubElement(element, "narrative").text = name
    for lang, variant in variants.items():
        ET.SubElement(element, "narrative", {XML_LANG: lang}).text = variant


def _transaction(parent, spending: Spending) -> None:
    """One spending: an expenditure (4) at its date, in its line's currency at the line's rate date,
    described by its line's category (free text stays home: docs/security.md 9)."""
    element = ET.SubElement(parent, "transaction")
    ET.SubElement(element, "transaction-type", {"code": "4"})
    ET.SubElement(element, "transaction-date", {"iso-date": spending.date.isoformat()})
    line = spending.line
    ET.SubElement(
        element, "value", {"currency": line.currency, "value-date": line.rate_date.isoformat()}
    ).text = _amount(spending.amount)
    with translation.override("fr"):
        _narrative(element, "description", str(line.get_category_display()))


def _location(parent, douar: Douar) -> None:
    """A douar: where the activity happens (reach 1), its exact point (WGS 84, "lat lon"), a populated
    place (class 2): a village (PPL) or a neighbourhood, a section of one (PPLX)."""
    element = ET.SubElement(parent, "location", {"ref": douar.code})
    ET.SubElement(element, "location-reach", {"code": "1"})
    _narrative(element, "name", douar.name, douar.variants())
    point = ET.SubElement(element, "point", {"srsName": "http://www.opengis.net/def/crs/EPSG/0/4326"})
    ET.SubElement(point, "pos").text = f"{douar.latitude:f} {douar.longitude:f}"
    ET.SubElement(element, "exactness", {"code": "1"})
    ET.SubElement(element, "location-class", {"code": "2"})
    designation = "PPLX" if douar.kind == Douar.Kind.NEIGHBOURHOOD else "PPL"
    ET.SubElement(element, "feature-designation", {"code": designation})


def _indicator(parent, partnership, table) -> None:
    indicator = table.indicator
    element = ET.SubElement(
        parent, "indicator", {"measure": "1", "ascending": "1", "aggregation-status": "0"}
    )
    _narrative(element, "title", *_coded(indicator.code, indicator))
    baseline_year = indicator.baseline_year or partnership.start_year
    ET.SubElement(
        element,
        "baseline",
        {
            "year": str(baseline_year),
            "iso-date": f"{baseline_year}-01-01",
            "value": str(indicator.baseline or 0),
        },
    )
    sexes = [s for s in table.columns if s in ("F", "M")] or ["T"]
    for period, _label in table.periods:
        if is_cumulative(period) and table.annual:
            continue  # annual indicators are reported year by year
        start, end = _period_bounds(partnership, period)
        element_period = ET.SubElement(element, "period")
        ET.SubElement(element_period, "period-start", {"iso-date": start.isoformat()})
        ET.SubElement(element_period, "period-end", {"iso-date": end.isoformat()})
        cells = [(sex, table.cells[(period, sex)]) for sex in sexes]
        for sex, cell in cells:
            if cell.target is not None:
                _value_element(element_period, "target", cell.target, sex)
        for sex, cell in cells:
            if cell.suppressed:
                _value_element(element_period, "actual", None, sex, f"petit effectif masqué ({cell.shown})")
            elif cell.actual is not None:
                _value_element(element_period, "actual", cell.actual, sex)
