"""The roadmap's texts (outcome, R1–R5, indicators, principles, structures, target groups) in the
reader's language, French when a translation is empty, and written in each language by a form.

On the demo world on purpose (an integration test): what is checked is that the roadmap's own texts,
as the demo loads them (`demo.programme`), reach every page, the PDF, IATI and the API translated.
"""

import io
import unicodedata

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from lxml import etree

from accounts.models import ApiToken
from demo.programme import OUTCOME_TRANSLATIONS, RESULTS
from partnerships.models import PartnerRole
from people.models import TargetGroup
from programme.models import GovernancePrinciple, Indicator, Result
from reports import iati

R = {code: (french, translations) for code, french, translations in RESULTS}
YEAR = 2025


def in_language(client, lang):
    client.cookies["django_language"] = lang
    return client


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def first_words(text: str, n: int = 6) -> str:
    return " ".join(text.split()[:n])


def arabic_letters(text: str) -> str:
    """Arabic out of a PDF: presentation forms back to letters, everything else dropped."""
    return "".join(c for c in unicodedata.normalize("NFKC", text) if "\u0621" <= c <= "\u064a")


@pytest.mark.parametrize("lang", ["ar", "nl", "en"])
def test_dashboard_and_framework_show_the_roadmap_in_the_reader_language(client_for, partnership, lang):
    client = in_language(client_for("coordination"), lang)
    dashboard = page(client, reverse("indicators:dashboard", kwargs={"slug": partnership.slug}))
    framework = page(client, reverse("programme:framework", kwargs={"slug": partnership.slug}))
    for html in (dashboard, framework):
        assert first_words(OUTCOME_TRANSLATIONS[lang]) in html
        assert first_words(R["R3"][1][lang]) in html
        assert first_words(R["R3"][0]) not in html  # not the French statement
        assert partnership.variants()[lang] in html  # the partnership's name in the header
        oc2 = Indicator.objects.get(result__partnership=partnership, code="OC.2")
        assert oc2.translations[lang]["name"] in html
    principle = GovernancePrinciple.objects.get(partnership=partnership, code="participation-citoyenne")
    assert principle.translations[lang]["name"] in framework
    assert oc2.translations[lang]["unit"] in framework


def test_arabic_report_page_and_pdf_show_the_arabic_statements(client_for, partnership):
    client = in_language(client_for("coordination"), "ar")
    html = page(client, f"/p/{partnership.slug}/rapports/{YEAR}/")
    assert first_words(OUTCOME_TRANSLATIONS["ar"]) in html
    for code in ("R1", "R3", "R5"):
        assert first_words(R[code][1]["ar"]) in html
    assert "Les communes développent" not in html

    response = client.get(f"/p/{partnership.slug}/rapports/{YEAR}/rapport.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    letters = arabic_letters(text)
    # Words of R3 ("participatory governance") and of the outcome, in logical or visual order.
    for word in ("حكامة", "تشاركية", "المستهدفة", "الجماعة"):
        assert word in letters or word[::-1] in letters, word
    assert "Les communes développent" not in text


def test_an_empty_translation_falls_back_to_french(client_for, partnership):
    r3 = Result.objects.get(partnership=partnership, code="R3")
    r3.translations["ar"]["name"] = ""
    r3.save()
    group = TargetGroup.objects.get(code="migrants")
    group.translations.pop("ar")
    group.save()
    client = in_language(client_for("coordination"), "ar")
    html = page(client, reverse("programme:framework", kwargs={"slug": partnership.slug}))
    assert r3.name in html.replace("&#x27;", "'")
    assert first_words(R["R1"][1]["ar"]) in html  # the others stay in Arabic
    with translation.override("ar"):
        assert group.label == group.name == str(group)
        assert r3.label == r3.name


def test_the_coordinator_writes_an_indicator_name_in_each_language(client_for, partnership):
    client = client_for("coordination")
    url = reverse("indicators:indicator_edit", kwargs={"slug": partnership.slug, "code": "OC.3"})
    form = page(client, url)
    oc3 = Indicator.objects.get(result__partnership=partnership, code="OC.3")
    assert 'name="name_ar"' in form and 'name="unit_en"' in form and 'dir="rtl"' in form
    assert oc3.translations["nl"]["name"] in form  # the saved translation is offered for editing
    response = client.post(
        url,
        {
            "result": oc3.result_id,
            "code": "OC.3",
            "name": oc3.name,
            "name_ar": "  المهاجرون الأفارقة في اجتماعات الإخبار  ",
            "name_nl": "",
            "name_en": "African migrants at the information meetings",
            "unit": "personnes",
            "unit_nl": "personen",
            "period": "annual",
            "by_sex": "on",
            "source": "people",
            "target_groups": ["migrants"],
            "activity_kinds": ["reunion-info"],
            "public": "on",
            "version": oc3.version,
        },
    )
    assert response.status_code == 302
    oc3.refresh_from_db()
    assert oc3.translations == {
        "ar": {"name": "المهاجرون الأفارقة في اجتماعات الإخبار"},
        "en": {"name": "African migrants at the information meetings"},
        "nl": {"unit": "personen"},
    }
    dutch = page(
        in_language(client, "nl"), reverse("indicators:dashboard", kwargs={"slug": partnership.slug})
    )
    assert oc3.name.replace("'", "&#x27;") in dutch  # the emptied Dutch name: French again


def test_the_administrator_writes_a_result_statement_in_each_language(client_for, partnership):
    r2 = Result.objects.get(partnership=partnership, code="R2")
    url = reverse("admin:programme_result_change", args=[r2.pk])
    client = client_for("admin")
    form = page(client, url)
    assert R["R2"][1]["en"] in form and 'name="name_nl"' in form
    response = client.post(
        url,
        {
            "partnership": partnership.pk,
            "code": "R2",
            "level": "result",
            "name": r2.name,
            "name_ar": R["R2"][1]["ar"],
            "name_nl": "Gemeenten en partners werken samen",
            "name_en": R["R2"][1]["en"],
            "order": r2.order,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    r2.refresh_from_db()
    assert r2.translations["nl"] == {"name": "Gemeenten en partners werken samen"}
    assert r2.translations["ar"]["name"] == R["R2"][1]["ar"]


def test_partner_roles_read_through_the_tr_filter(partnership):
    role = PartnerRole.objects.get(partnership=partnership, organisation__slug="universites")
    template = Template('{% load translated %}{{ role|tr:"role" }}')
    with translation.override("en"):
        assert template.render(Context({"role": role})) == "Participatory evaluation of the projects (R4)"
    with translation.override("fr"):
        assert template.render(Context({"role": role})) == role.role


def test_iati_titles_carry_a_narrative_per_language(partnership):
    document = etree.fromstring(iati.activity_file(partnership))
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    r3 = next(r for r in document.iter("result") if r.findtext("title/narrative").startswith("R3 "))
    narratives = {n.get(lang): n.text for n in r3.find("title").findall("narrative")}
    assert narratives[None] == f"R3 {R['R3'][0]}"
    assert narratives["ar"] == f"R3 {R['R3'][1]['ar']}" and set(narratives) == {None, "ar", "nl", "en"}
    title = {n.get(lang): n.text for n in document.find("iati-activity/title").findall("narrative")}
    assert title == {None: partnership.name, **partnership.variants()}


def test_api_names_stay_french_with_their_translations(client, users, partnership):
    token = ApiToken.issue(users["coordination"])
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "ar"}
    body = client.get(f"/api/v1/partnerships/{partnership.slug}/indicators?year=2024", headers=headers).json()
    oc2 = next(i for i in body if i["code"] == "OC.2")
    assert oc2["name"] == "Jeunes porteurs d'un handicap participant aux projets"
    assert oc2["names"]["ar"] == "الشباب في وضعية إعاقة المشاركون في المشاريع"
    mine = client.get("/api/v1/partnerships", headers=headers).json()
    assert {"name": partnership.name, "names": partnership.variants()}.items() <= next(
        p for p in mine if p["slug"] == partnership.slug
    ).items()
