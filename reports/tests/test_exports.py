"""Exports hold no field outside the persona's allow-list; identity only for the holding structure."""

import csv
import io

import pytest

from people.models import Person
from reports.exports import ACTIVITY_COLUMNS, IDENTITY_COLUMNS, PEOPLE_COLUMNS

SENTINEL = "Zoubida-Sentinelle"


def export(client, slug, what, query=""):
    response = client.get(f"/p/{slug}/rapports/exports/{what}.csv{query}")
    assert response.status_code == 200
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def named(demo_activity):
    partnership = demo_activity["partnership"]
    person = Person.objects.filter(partnership=partnership, structure__code="centre-jour").first()
    person.first_name, person.phone = SENTINEL, "0600000000"
    person.save()
    return person


@pytest.mark.parametrize(
    "persona, identity", [("coordination", False), ("jour", True), ("accueil", True), ("ecoute", True)]
)
def test_people_export_holds_only_the_allow_list(demo_activity, named, client_for, persona, identity):
    rows = export(client_for(persona), demo_activity["partnership"].slug, "personnes")
    allowed = set(PEOPLE_COLUMNS) | (set(IDENTITY_COLUMNS) if identity else set())
    header = set(rows[0].keys()) if rows else set()
    assert header <= allowed
    text = repr(rows)
    # The name appears only for the day centre's own staff.
    assert (SENTINEL in text) == (persona == "jour")
    if persona == "coordination":
        assert any(r["code"] == named.code for r in rows)
    else:
        structure = {"jour": "centre-jour", "accueil": "bureau-migrants", "ecoute": "centre-ecoute"}[persona]
        assert all(r["structure"] == structure for r in rows)


def test_people_export_applies_the_list_filters(demo_activity, client_for):
    rows = export(client_for("coordination"), demo_activity["partnership"].slug, "personnes", "?sex=F")
    assert rows and all(r["sexe"] == "F" for r in rows)
    assert all(len(r["mois_enregistrement"]) == 7 for r in rows)  # a month, never a day


def test_activity_export_columns_and_filters(demo_activity, client_for):
    rows = export(
        client_for("coordination"),
        demo_activity["partnership"].slug,
        "activites",
        "?kind=reunion-info&date_from=2025-01-01",
    )
    assert rows and set(rows[0].keys()) == set(ACTIVITY_COLUMNS)
    assert all(r["type"] == "reunion-info" and r["date"] >= "2025-01-01" for r in rows)


@pytest.mark.parametrize("persona", ["jette", "reseau", "admin", "outsider", "autre_coordination"])
def test_partner_network_and_others_get_no_export(demo_activity, client_for, persona):
    for what in ("personnes", "activites"):
        url = f"/p/{demo_activity['partnership'].slug}/rapports/exports/{what}.csv"
        assert client_for(persona).get(url).status_code == 404


@pytest.mark.parametrize(
    "persona, query",
    [
        ("coordination", {"sex": "F", "target_group": "jeunes-handicap"}),
        ("coordination", {"structure": "centre-jour"}),
        ("accueil", {"sex": "M"}),
        ("jour", {}),
    ],
)
def test_people_export_and_registry_page_share_one_filter(demo_activity, client_for, persona, query):
    """The export holds exactly the people the registry page lists for the same filters (one filter,
    people/forms.py `PeopleFilter.apply`)."""
    client = client_for(persona)
    slug = demo_activity["partnership"].slug
    rows = export(client, slug, "personnes", "?" + "&".join(f"{k}={v}" for k, v in query.items()))
    page = client.post(f"/p/{slug}/personnes/", query)
    listed = [person.code for person in page.context["page"].paginator.object_list]  # every page
    assert rows
    assert sorted(r["code"] for r in rows) == sorted(listed)
