"""IATI 2.03: the projects' money and places in the partnership's activity file — yearly budgets and
planned disbursements in dirhams, one transaction per spending, one location per douar — valid
against the official schema, and only the partnership's own rows."""

import datetime as dt
from decimal import Decimal

import pytest
from lxml import etree

from activities.models import Activity
from activities.tests.factories import ActivityFactory
from partnerships.models import Organisation
from partnerships.tests.factories import (
    DouarFactory,
    OrganisationFactory,
    PartnershipFactory,
    StructureFactory,
    persona,
)
from projects.actions import create_project, record_spending
from projects.models import BudgetLine
from reports import iati
from reports.tests.test_iati import XSD

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _line(project, *, year, amount, currency="MAD", rate="1", funder=BudgetLine.Funder.COMMUNE, **fields):
    return BudgetLine.objects.create(
        project=project,
        category=BudgetLine.Category.EQUIPMENT,
        label="Ligne de test",
        funder=funder,
        year=year,
        amount=Decimal(amount),
        currency=currency,
        rate=Decimal(rate),
        rate_date=fields.pop("rate_date", dt.date(year, 1, 15)),
        **fields,
    )


@pytest.fixture
def funded(db):
    """A partnership with a project: a MAD line and an EUR line in 2025 (two spendings), a federal
    line in 2026; its douars (one of the project, one of an activity, one of a listening-centre
    activity forced in by the ORM, one unused); and another partnership with rows of its own."""
    belfaa = OrganisationFactory(name="Commune de Testville", translations={"ar": {"name": "جماعة تستفيل"}})
    jette = OrganisationFactory(name="Commune de Jette", kind=Organisation.Kind.BELGIAN_COMMUNE)
    partnership = PartnershipFactory(communes=[belfaa, jette])
    coordination = persona("coordination", partnership, username="f-iati-recorder")
    village = DouarFactory(
        partnership=partnership, name="Douar Aït Test", latitude="30.04120", longitude="-9.55480"
    )
    quarter = DouarFactory(
        partnership=partnership, name="Hay Test", kind="quartier", latitude="29.98640", longitude="-9.52230"
    )
    hidden = DouarFactory(partnership=partnership, name="Douar du centre")
    unused = DouarFactory(partnership=partnership, name="Douar sans rien")
    project = create_project(partnership, title="Puits de Testville", origin="commune", by=coordination)
    project.douars.set([village])
    ActivityFactory(partnership=partnership, douar=quarter)
    centre = StructureFactory(partnership=partnership, centre_ecoute=True)
    listening = ActivityFactory(partnership=partnership, structure=centre)
    Activity.objects.filter(pk=listening.pk).update(douar=hidden)  # past every door, as a stale row would be
    works = create_project(partnership, title="Travaux du centre", origin="commune", structure=centre)
    works.douars.set([hidden])  # past the form's refusal, as a stale row would be
    mad = _line(project, year=2025, amount="10000.00")
    eur = _line(
        project,
        year=2025,
        amount="1234.56",
        currency="EUR",
        rate="10.8765",
        funder=BudgetLine.Funder.JETTE,
        rate_date=dt.date(2025, 2, 3),
    )
    federal = _line(project, year=2026, amount="5000.50", funder=BudgetLine.Funder.FEDERAL)
    record_spending(
        mad, date=dt.date(2025, 3, 10), amount=Decimal("2500.00"), document="FAC-2025-014", by=coordination
    )
    record_spending(
        eur, date=dt.date(2025, 4, 2), amount=Decimal("300.50"), document="FAC-2025-022", by=coordination
    )

    other = PartnershipFactory()
    elsewhere = create_project(other, title="Projet d'ailleurs", origin="commune")
    elsewhere.douars.set([DouarFactory(partnership=other, name="Douar d'ailleurs", latitude="31.00000")])
    foreign = _line(elsewhere, year=2025, amount="777.77")
    record_spending(foreign, date=dt.date(2025, 5, 5), amount=Decimal("111.11"), document="AIL-001")
    return {
        "partnership": partnership,
        "lines": (mad, eur, federal),
        "douars": (village, quarter, hidden, unused),
        "other": other,
    }


def _document(partnership):
    return etree.fromstring(iati.activity_file(partnership))


def test_the_file_with_budgets_transactions_and_locations_is_valid(funded):
    schema = etree.XMLSchema(etree.parse(XSD))
    for partnership in (funded["partnership"], funded["other"]):
        document = _document(partnership)
        assert schema.validate(document), schema.error_log
        assert document.find("iati-activity/budget") is not None


def test_a_years_budget_is_the_direct_sum_of_its_lines_in_dirhams(funded):
    budgets = _document(funded["partnership"]).findall("iati-activity/budget")
    assert [
        (b.find("period-start").get("iso-date"), b.find("period-end").get("iso-date")) for b in budgets
    ] == [
        ("2025-01-01", "2025-12-31"),
        ("2026-01-01", "2026-12-31"),
    ]
    assert {(b.get("type"), b.get("status")) for b in budgets} == {("1", "1")}  # original, indicative
    values = [b.find("value") for b in budgets]
    assert [v.get("currency") for v in values] == ["MAD", "MAD"]
    assert [v.get("value-date") for v in values] == ["2025-01-01", "2026-01-01"]
    # 10000.00 MAD + 1234.56 EUR × 10.8765 = 13427.691840 → 13427.69 MAD (the line's rounding)
    assert Decimal(values[0].text) == Decimal("10000.00") + Decimal("13427.69") == Decimal("23427.69")
    assert Decimal(values[1].text) == Decimal("5000.50")
    mad, eur, federal = funded["lines"]
    assert Decimal(values[0].text) == mad.in_mad() + eur.in_mad()


def test_planned_disbursements_per_year_and_funder_name_who_pays(funded):
    planned = _document(funded["partnership"]).findall("iati-activity/planned-disbursement")
    rows = [
        (
            p.get("type"),
            p.find("period-start").get("iso-date"),
            p.find("value").text,
            p.find("provider-org").get("ref"),
            p.findtext("provider-org/narrative"),
        )
        for p in planned
    ]
    assert rows == [
        ("1", "2025-01-01", "10000.00", None, "Commune de Testville"),
        ("1", "2025-01-01", "13427.69", iati.org_ref(funded["partnership"]), "Commune de Jette"),
        ("1", "2026-01-01", "5000.50", None, "Programme fédéral belge"),
    ]
    arabic = planned[0].find(f"provider-org/narrative[@{XML_LANG}='ar']")
    assert arabic is not None and arabic.text == "جماعة تستفيل"
    assert {p.find("provider-org").get("type") for p in planned} == {"10"}


def test_one_expenditure_per_spending_in_its_lines_currency_without_who_recorded_it(funded):
    data = iati.activity_file(funded["partnership"])
    transactions = etree.fromstring(data).findall("iati-activity/transaction")
    assert [
        (
            t.find("transaction-type").get("code"),
            t.find("transaction-date").get("iso-date"),
            t.find("value").text,
            t.find("value").get("currency"),
            t.find("value").get("value-date"),
            t.findtext("description/narrative"),
        )
        for t in transactions
    ] == [
        ("4", "2025-03-10", "2500.00", "MAD", "2025-01-15", "équipement"),
        ("4", "2025-04-02", "300.50", "EUR", "2025-02-03", "équipement"),
    ]
    assert b"FAC-2025" not in data  # a document reference is free text: it stays in the service
    assert b"f-iati-recorder" not in data
    assert b"AIL-001" not in data and b"111.11" not in data  # the other partnership's spending


def test_one_location_per_douar_of_its_projects_and_activities(funded):
    village, quarter, _hidden, _unused = funded["douars"]
    locations = _document(funded["partnership"]).findall("iati-activity/location")
    assert [loc.findtext("name/narrative") for loc in locations] == ["Douar Aït Test", "Hay Test"]
    assert [loc.findtext("point/pos") for loc in locations] == ["30.04120 -9.55480", "29.98640 -9.52230"]
    assert {loc.find("point").get("srsName") for loc in locations} == {
        "http://www.opengis.net/def/crs/EPSG/0/4326"
    }
    arabic = locations[0].find(f"name/narrative[@{XML_LANG}='ar']")
    assert arabic is not None and arabic.text == "دوار Douar Aït Test"
    assert [
        (
            loc.find("exactness").get("code"),
            loc.find("location-class").get("code"),
            loc.find("feature-designation").get("code"),
        )
        for loc in locations
    ] == [("1", "2", "PPL"), ("1", "2", "PPLX")]


def test_the_other_partnership_carries_only_its_own_rows(funded):
    document = _document(funded["other"])
    assert [b.find("value").text for b in document.findall("iati-activity/budget")] == ["777.77"]
    assert [t.find("value").text for t in document.findall("iati-activity/transaction")] == ["111.11"]
    assert [loc.findtext("name/narrative") for loc in document.findall("iati-activity/location")] == [
        "Douar d'ailleurs"
    ]


def test_a_partnership_without_projects_has_no_budget_transaction_or_location(db):
    document = _document(PartnershipFactory())
    for tag in ("budget", "planned-disbursement", "transaction", "location"):
        assert document.find(f"iati-activity/{tag}") is None
    assert etree.XMLSchema(etree.parse(XSD)).validate(document)
