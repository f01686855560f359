"""The results framework as an XLSX logframe: template, export, import with a dry run (issue 16)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from conftest import verify_second_factor
from core.spreadsheets import workbook
from partnerships.tests.factories import MembershipFactory, PartnershipFactory, StructureFactory, persona
from programme import actions, logframe
from programme.models import GovernancePrinciple, Indicator, Result, Target

pytestmark = pytest.mark.small_world

RESULT_HEADERS = ["Code", "Niveau", "Énoncé", "Énoncé (ar)"]
INDICATOR_HEADERS = [
    "Code",
    "Résultat",
    "Intitulé",
    "Unité",
    "Période",
    "Par sexe",
    "Source",
    "Publics cibles",
    "Types d'activité",
    "Structures",
    "Valeur de référence",
    "Année de référence",
]
TARGET_HEADERS = ["Indicateur", "Année", "Sexe", "Cible"]


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    """A workbook with these sheets and rows (written through Twiza's one XLSX writer)."""
    out = io.BytesIO()
    book = workbook(out)
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    ws.write(r, c, value)
    book.close()
    return out.getvalue()


def upload(client, partnership, data: bytes, name="cadre.xlsx"):
    url = reverse("programme:logframe_import", kwargs={"slug": partnership.slug})
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def framework_counts(partnership) -> tuple[int, int, int, int]:
    return (
        Result.objects.filter(partnership=partnership).count(),
        Indicator.objects.filter(result__partnership=partnership).count(),
        Target.objects.filter(indicator__result__partnership=partnership).count(),
        GovernancePrinciple.objects.filter(partnership=partnership).count(),
    )


GOOD = {
    "Résultats": [
        RESULT_HEADERS,
        ["OC", "objectif", "Les publics cibles participent", "تشارك الفئات"],
        ["R1", "résultat", "Les communes s'organisent", None],
    ],
    "Indicateurs": [
        INDICATOR_HEADERS,
        [
            "OC.1",
            "OC",
            "Jeunes accueillis",
            "personnes",
            "annuelle",
            "oui",
            "people",
            "migrants",
            "atelier",
            "",
            12,
            2021,
        ],
        [
            "R1.1",
            "R1",
            "Activités tenues",
            "activités",
            "cumulée",
            "non",
            "activities",
            "",
            "",
            "",
            None,
            None,
        ],
    ],
    "Cibles": [TARGET_HEADERS, ["OC.1", 2022, "F", 10], ["OC.1", 2022, "M", 12], ["R1.1", None, "T", 40]],
}


@pytest.fixture
def migrants(db):
    from people.models import TargetGroup

    return TargetGroup.objects.get_or_create(code="migrants", defaults={"name": "Migrants"})[0]


def test_a_good_file_goes_through_the_dry_run_and_is_created_on_confirmation(
    client_for, partnership, migrants
):
    client = client_for("coordination")
    page = upload(client, partnership, xlsx(GOOD))
    html = page.content.decode()
    assert page.status_code == 200 and 'id="logframe-confirm"' in html
    assert framework_counts(partnership) == (0, 0, 0, 0)  # the dry run writes nothing
    assert "OC.1" in html and "Jeunes accueillis" in html
    token = page.context["token"]
    done = client.post(
        reverse("programme:logframe_import", kwargs={"slug": partnership.slug}), {"plan": token}
    )
    assert done.status_code == 302
    assert framework_counts(partnership) == (2, 2, 3, 0)
    oc1 = Indicator.objects.get(result__partnership=partnership, code="OC.1")
    assert (oc1.source, oc1.target_groups, oc1.activity_kinds, oc1.baseline, oc1.baseline_year) == (
        "people",
        ["migrants"],
        ["atelier"],
        12,
        2021,
    )
    assert Result.objects.get(partnership=partnership, code="OC").translations == {
        "ar": {"name": "تشارك الفئات"}
    }
    assert Target.objects.get(indicator__code="R1.1").year is None
    # A second import is refused: the framework is no longer empty.
    again = client.post(
        reverse("programme:logframe_import", kwargs={"slug": partnership.slug}), {"plan": token}
    )
    assert 'id="logframe-not-empty"' in again.content.decode()
    assert framework_counts(partnership) == (2, 2, 3, 0)
    refused = client.get(reverse("programme:logframe_import", kwargs={"slug": partnership.slug}))
    assert 'id="logframe-not-empty"' in refused.content.decode()


def test_a_bad_file_gets_row_numbered_errors_and_creates_nothing(client_for, partnership, migrants):
    StructureFactory(partnership=partnership, code="maison")
    bad = {
        "Résultats": [
            RESULT_HEADERS,
            ["OC", "objectif", "Objectif", None],
            ["OC", "résultat", "Doublon", None],
        ],
        "Indicateurs": [
            INDICATOR_HEADERS,
            ["I.1", "OC", "Sans source", "personnes", "annuelle", "oui", "inconnue", "", "", "", None, None],
            ["I.2", "OC", "Filtre", "personnes", "annuelle", "oui", "people", "martiens", "", "", None, None],
            ["I.2", "OC", "Doublon", "personnes", "annuelle", "oui", "people", "", "", "maison", None, None],
            ["I.3", "R9", "Sans résultat", "personnes", "annuelle", "oui", "manual", "", "", "", -3, None],
        ],
        "Cibles": [
            TARGET_HEADERS,
            ["I.2", 2031, "F", 5],
            ["I.2", 2023, "M", -4],
            ["I.2", 2024, "F", "beaucoup"],
            ["I.9", 2024, "F", 1],
        ],
        "Principes": [["Code"], ["egal-acces"]],
    }
    page = upload(client_for("coordination"), partnership, xlsx(bad))
    assert page.status_code == 200 and "token" not in page.context
    found = {(p.sheet, p.row, p.column) for p in page.context["plan"].problems}
    assert found == {
        ("Résultats", 3, "Code"),  # duplicate code
        ("Indicateurs", 2, "Source"),  # unknown source
        ("Indicateurs", 3, "Publics cibles"),  # a target group the engine does not know
        ("Indicateurs", 4, "Code"),  # duplicate code
        ("Indicateurs", 5, "Résultat"),  # R9 does not exist
        ("Indicateurs", 5, "Valeur de référence"),  # negative
        ("Cibles", 2, "Année"),  # outside 2022–2026
        ("Cibles", 3, "Cible"),  # negative
        ("Cibles", 4, "Cible"),  # not a number
        ("Cibles", 5, "Indicateur"),  # I.9 does not exist
        ("Principes", 1, "Principe"),  # missing required column
    }
    html = page.content.decode()
    assert "11 erreurs" in html and "Colonne obligatoire absente." in html and "2031" in html
    assert framework_counts(partnership) == (0, 0, 0, 0)
    # Even a forged confirmation of a bad file creates nothing.
    with pytest.raises(Exception, match="erreurs"):
        actions.import_framework(partnership, logframe.check(partnership, logframe.read_upload(xlsx(bad))))
    assert framework_counts(partnership) == (0, 0, 0, 0)


def test_filters_must_fit_the_source_and_the_sex(partnership):
    sheets = logframe.read_upload(
        xlsx(
            {
                "Résultats": [RESULT_HEADERS, ["R1", "résultat", "R", None]],
                "Indicateurs": [
                    INDICATOR_HEADERS,
                    ["A", "R1", "a", "activités", "annuelle", "oui", "activities", "", "", "", None, None],
                    ["B", "R1", "b", "dossiers", "annuelle", "oui", "cases", "", "atelier", "", None, None],
                ],
                "Cibles": [TARGET_HEADERS, ["A", None, "F", 3], ["B", 2022, "T", 3]],
            }
        )
    )
    found = {(p.sheet, p.row, p.column) for p in logframe.check(partnership, sheets).problems}
    assert found == {
        ("Indicateurs", 2, "Par sexe"),  # activities have no sex
        ("Indicateurs", 3, "Types d'activité"),  # the cases source ignores activity kinds
        ("Cibles", 2, "Année"),  # an annual indicator needs a year
        ("Cibles", 3, "Sexe"),  # T for an indicator by sex
    }


def test_a_survey_indicator_is_refused_by_the_logframe_with_where_to_define_it(partnership):
    """Its question lives in Twiza's surveys, not in the file: the row says where to define it."""
    sheets = logframe.read_upload(
        xlsx(
            {
                "Résultats": [RESULT_HEADERS, ["R1", "résultat", "R", None]],
                "Indicateurs": [
                    INDICATOR_HEADERS,
                    ["S", "R1", "s", "personnes", "annuelle", "oui", "survey", "", "", "", None, None],
                ],
                "Cibles": [TARGET_HEADERS],
            }
        )
    )
    problems = logframe.check(partnership, sheets).problems
    assert [(p.sheet, p.row, p.column) for p in problems] == [("Indicateurs", 2, "Source")]
    assert "page de l'indicateur" in problems[0].message


def test_the_template_downloads_and_reimports_as_an_empty_valid_file(client_for, partnership):
    response = client_for("jette").get(
        reverse("programme:logframe_template", kwargs={"slug": partnership.slug})
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = b"".join(response.streaming_content) if response.streaming else response.content
    names = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml").decode()
    for sheet in ["Lisez-moi", "Résultats", "Indicateurs", "Cibles", "Principes"]:
        assert f'name="{sheet}"' in names
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet3.xml").decode()
    assert "<dataValidation" in sheet  # the lists of allowed values
    plan = logframe.check(partnership, logframe.read_upload(data))
    assert plan.problems == [] and plan.empty
    page = upload(client_for("coordination"), partnership, data)
    assert "Le fichier est valide mais vide" in page.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a workbook at all", "illisible"),
        (None, "trop grand"),  # a sheet of more rows than a logframe can have
        ("bomb", "illisible"),  # one row of hundreds of megabytes once decompressed
    ],
)
def test_hostile_files_get_a_clear_error_never_a_500(client_for, partnership, data, message):
    if data is None:
        data = xlsx({"Résultats": [RESULT_HEADERS] + [["R", "résultat", "x"]] * (logframe.MAX_ROWS + 5)})
    elif data == "bomb":
        out = io.BytesIO()
        ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(
                "xl/workbook.xml",
                f'<workbook xmlns="{ns}" xmlns:r="{rel}"><sheets><sheet name="Résultats" r:id="rId1"/></sheets></workbook>',
            )
            z.writestr(
                "xl/_rels/workbook.xml.rels",
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>',
            )
            z.writestr(
                "xl/worksheets/sheet1.xml",
                f'<worksheet xmlns="{ns}"><sheetData><row><c t="inlineStr"><is><t>'
                + "A" * (64 << 20)
                + "</t></is></c></row></sheetData></worksheet>",
            )
        data = out.getvalue()
        assert len(data) < 1 << 20
    page = upload(client_for("coordination"), partnership, data)
    assert page.status_code == 200
    assert message in page.content.decode()
    assert framework_counts(partnership) == (0, 0, 0, 0)


def test_who_may_import(client_for, partnership, world):
    url = reverse("programme:logframe_import", kwargs={"slug": partnership.slug})
    other = reverse("programme:logframe_import", kwargs={"slug": world["other"].slug})
    assert client_for("coordination").get(url).status_code == 200
    # The coordinator of another partnership, the structures' staff, partners: 404, and a post
    # creates nothing.
    for name in ["autre_coordination", "ecoute", "centre", "accueil", "jour", "jette", "admin", "reseau"]:
        client = client_for(name)
        assert client.get(url).status_code == 404, name
        assert upload(client, partnership, xlsx(GOOD)).status_code == 404
    assert framework_counts(partnership) == (0, 0, 0, 0)
    assert client_for("coordination").get(other).status_code == 404


def test_without_a_coordinator_the_admin_and_the_network_officer_set_the_framework_up(db):
    partnership = PartnershipFactory()
    admin, officer = persona("admin"), MembershipFactory(reseau=True, tenant=partnership).user
    url = reverse("programme:logframe_import", kwargs={"slug": partnership.slug})

    def status(user):
        client = Client()
        client.force_login(user)
        verify_second_factor(client, user)
        return client.get(url).status_code

    assert [status(admin), status(officer)] == [200, 200]
    MembershipFactory(coordination=True, tenant=partnership)
    assert [status(admin), status(officer)] == [404, 404]


@pytest.mark.demo_world
def test_the_belfaa_jette_framework_round_trips_identically(client_for, partnership):
    """Export Belfaa–Jette → import into a new partnership of the same years → the same framework."""
    # The demo sets no baseline: one here (this test's transaction), so that baselines round-trip too.
    Indicator.objects.filter(result__partnership=partnership, code="OC.2").update(
        baseline=30, baseline_year=2021
    )
    response = client_for("jette").get(
        reverse("programme:logframe_export", kwargs={"slug": partnership.slug})
    )
    assert response.status_code == 200
    copy = PartnershipFactory(start_year=partnership.start_year, end_year=partnership.end_year)
    for structure in partnership.structures.all():  # filters name structures by code
        StructureFactory(partnership=copy, code=structure.code)
    plan = logframe.check(copy, logframe.read_upload(response.content))
    assert plan.problems == []
    actions.import_framework(copy, plan)

    def results(p):
        return [
            (r.code, r.level, r.name, r.order, r.translations) for r in Result.objects.filter(partnership=p)
        ]

    skip = {"id", "result", "order", "version", "created_at", "updated_at"}
    fields = [f.name for f in Indicator._meta.concrete_fields if f.name not in skip]

    def indicators(p):
        # In the framework's order (result, then order); `order` itself is the row's position.
        return [
            (i.result.code, *(getattr(i, f) for f in fields))
            for i in Indicator.objects.filter(result__partnership=p).select_related("result")
        ]

    def targets(p):
        return sorted(
            (t.indicator.code, t.year or 0, t.sex, t.value)
            for t in Target.objects.filter(indicator__result__partnership=p).select_related("indicator")
        )

    def principles(p):
        return [(g.code, g.name, g.order, g.translations) for g in p.principles.all()]

    assert results(copy) == results(partnership) and len(results(copy)) == 6
    assert indicators(copy) == indicators(partnership) and len(indicators(copy)) == 8
    assert targets(copy) == targets(partnership) and len(targets(copy)) == 21
    assert principles(copy) == principles(partnership) and len(principles(copy)) == 6


def test_the_export_keeps_hostile_text_as_text(client_for, partnership):
    """docs/security.md 27: a statement typed as a formula is written as text, never run."""
    from programme.models import Result

    Result.objects.create(partnership=partnership, code="R1", level="result", name='=HYPERLINK("http://x")')
    data = (
        client_for("coordination")
        .get(reverse("programme:logframe_export", kwargs={"slug": partnership.slug}))
        .content
    )
    sheets = logframe.read_upload(data)
    assert sheets["Résultats"][1][:3] == ["R1", "résultat", '\'=HYPERLINK("http://x")']
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet2.xml")
