"""The partnership as an IATI 2.03 activity file: results, indicators, baselines, periods, targets and
actuals with the sex dimension.

The file is a publication: its figures are always suppressed as for someone outside the services
(docs/security.md 8), whoever downloads it; a hidden actual is left out, with a comment saying why.
Texts are French, with a narrative per translation (`xml:lang`) where the reference data has one.
Element order follows the 2.03 schema (checked against the official XSD in the tests).
"""

import datetime as dt
from xml.etree import ElementTree as ET

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.translations import other_languages
from indicators import figures
from partnerships.access import Access
from programme.models import is_cumulative, period_year

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
    def text() -> str:
        return _("Partenariat de coopération communale %(start)s–%(end)s.") % {
            "start": partnership.start_year,
            "end": partnership.end_year,
        }

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
