"""The public portal and the network view speak the reader's language, reference data included.

Integration tests of the demo's translations (the roadmap's outcome, structures and indicators in
Arabic, Dutch and English): they stay on the demo world."""

import pytest
from django.urls import reverse

from demo.programme import OUTCOME_TRANSLATIONS


@pytest.mark.parametrize("lang", ["ar", "nl", "en"])
def test_public_portal_shows_the_roadmap_in_the_reader_language(demo_portal, client, lang):
    partnership = demo_portal["partnership"]
    client.cookies["django_language"] = lang
    html = client.get(reverse("portal:home", kwargs={"slug": partnership.slug})).content.decode()
    assert partnership.variants()[lang] in html
    assert " ".join(OUTCOME_TRANSLATIONS[lang].split()[:6]) in html
    assert partnership.structures.get(code="centre-jour").translations[lang]["name"] in html
    assert "Centre d&#x27;accueil de jour" not in html and "En 2026, les publics" not in html


@pytest.mark.parametrize("lang", ["ar", "nl", "en"])
def test_network_view_names_partnerships_and_indicators_in_the_reader_language(demo_portal, client_for, lang):
    client = client_for("reseau")
    client.cookies["django_language"] = lang
    html = client.get(reverse("network:detail", kwargs={"network_slug": "brulocalis"})).content.decode()
    for partnership in (demo_portal["partnership"], demo_portal["fictional"]):
        assert partnership.variants()[lang] in html
    oc2 = demo_portal["partnership"].results.get(code="OC").indicators.get(code="OC.2")
    assert oc2.translations[lang]["name"] in html and oc2.name not in html.replace("&#x27;", "'")
