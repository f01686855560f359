"""The forms Twiza makes (collect/xlsforms.py): every form of the demo converts with pyxform (and
passes ODK Validate where Java is), carries the fields the intake reads, offers the structure's own
people only, and gets a new version exactly when something it shows changed."""

import csv
import hashlib
import io
import os
import shutil

import openpyxl
import pytest
from django.db import IntegrityError
from django.urls import reverse
from lxml import etree
from pyxform.xls2xform import convert

from collect import xlsforms
from collect.models import CollectSettings, FormVersion, PersonLabel
from partnerships.models import Structure
from people.models import Person
from people.tests.factories import PersonFactory
from programme.models import Result

pytestmark = pytest.mark.demo_world

XF = "{http://www.w3.org/2002/xforms}"


def structure(partnership, code) -> Structure:
    return Structure.objects.get(partnership=partnership, code=code)


def every_form(partnership):
    return [(s, kind) for s in partnership.structures.order_by("code") for kind in xlsforms.forms_for(s)]


def binds(xform: str) -> set[str]:
    root = etree.fromstring(xform.encode())
    return {str(b.get("nodeset")) for b in root.iter(f"{XF}bind")}


def rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode())))


def test_which_structure_gets_which_form(partnership):
    kinds = {s.code: xlsforms.forms_for(s) for s in partnership.structures.all()}
    assert kinds == {
        "centre-ecoute": [],
        "bureau-migrants": ["activite", "visite"],
        "centre-jour": ["activite", "seance_jour"],
        "maison-creation": ["activite"],
        "figuiers-toulaasri": ["activite"],
    }


def test_every_demo_form_converts_and_is_stored(partnership):
    forms = every_form(partnership)
    assert len(forms) == 6
    for found, kind in forms:
        version = xlsforms.current(found, kind)
        assert version.form_id == "twiza_" + kind + "_" + found.code.replace("-", "_")
        assert version.version == "1"
        assert version.xform_md5 == hashlib.md5(version.xform.encode(), usedforsecurity=False).hexdigest()
        # The XForm served is the conversion of the XLSForm served.
        assert convert(bytes(version.xlsform), file_type=".xlsx").xform == version.xform
        root = etree.fromstring(version.xform.encode())
        instance = next(root.iter(f"{XF}instance"))[0]
        assert instance.tag == f"{XF}data"
        assert (instance.get("id"), instance.get("version")) == (version.form_id, "1")


def test_every_demo_form_passes_odk_validate(partnership):
    if shutil.which("java") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("java is missing: CI must run ODK Validate (scripts/install-system-packages.sh)")
        pytest.skip("java is missing: run scripts/install-system-packages.sh to run ODK Validate")
    for found, kind in every_form(partnership):
        data = xlsforms.current(found, kind).xlsform
        result = convert(bytes(data), file_type=".xlsx", validate=True)
        assert not [w for w in result.warnings if "error" in w.lower()], (found.code, kind, result.warnings)


def test_activity_form_has_the_fields_the_intake_reads(partnership):
    xform = xlsforms.current(structure(partnership, "maison-creation"), "activite").xform
    expected = {
        "/data/activite/type",
        "/data/activite/titre",
        "/data/activite/date",
        "/data/activite/resultats",
        "/data/activite/lieu",
        "/data/activite/douar",
        "/data/presences/presents",
        "/data/comptages/public",
        "/data/comptages/femmes",
        "/data/comptages/hommes",
        "/data/comptages/non_precise",
        "/data/nouvelles_personnes/prenom",
        "/data/nouvelles_personnes/nom",
        "/data/nouvelles_personnes/sexe",
        "/data/nouvelles_personnes/annee_naissance",
        "/data/nouvelles_personnes/public",
        "/data/nouvelles_personnes/douar",
        "/data/meta/instanceID",
    }
    assert binds(xform) == expected
    root = etree.fromstring(xform.encode())
    date = next(b for b in root.iter(f"{XF}bind") if b.get("nodeset") == "/data/activite/date")
    assert date.get("required") == "true()" and date.get("constraint") == ". <= today()"
    women = next(b for b in root.iter(f"{XF}bind") if b.get("nodeset") == "/data/comptages/femmes")
    assert women.get("constraint") == ". >= 0"
    presents = next(e for e in root.iter(f"{XF}select") if e.get("ref") == "/data/presences/presents")
    assert presents.get("appearance") == "minimal autocomplete"
    assert root.find(f".//{XF}instance[@src='jr://file-csv/personnes.csv']") is not None
    assert ">accueil-jour<" not in xform  # the kinds offered: all but the day centre's session
    assert ">reunion-info<" in xform


def test_day_session_form_calculates_its_type(partnership):
    xform = xlsforms.current(structure(partnership, "centre-jour"), "seance_jour").xform
    root = etree.fromstring(xform.encode())
    kind = next(b for b in root.iter(f"{XF}bind") if b.get("nodeset") == "/data/activite/type")
    assert kind.get("calculate") == "'accueil-jour'"
    assert {"/data/activite/date", "/data/comptages/femmes", "/data/presences/presents"} <= binds(xform)


def test_visit_form_has_the_fields_the_intake_reads(partnership):
    xform = xlsforms.current(structure(partnership, "bureau-migrants"), "visite").xform
    names = {"date", "personne", "sexe", "douar", "motif", "orientation", "oriente_vers"}
    assert binds(xform) == {f"/data/{n}" for n in names} | {"/data/meta/instanceID"}
    root = etree.fromstring(xform.encode())
    sex = next(b for b in root.iter(f"{XF}bind") if b.get("nodeset") == "/data/sexe")
    assert sex.get("relevant").split() == ["/data/personne", "=", "''"]
    assert ">X<" in xform and ">sante<" in xform


def test_labels_in_every_language(partnership):
    book = openpyxl.load_workbook(
        io.BytesIO(bytes(xlsforms.current(structure(partnership, "centre-jour"), "activite").xlsform))
    )
    assert book.sheetnames == ["survey", "choices", "settings"]
    header = [c.value for c in book["survey"][1]]
    for column in [
        "label::Français (fr)",
        "label::العربية (ar)",
        "label::Nederlands (nl)",
        "label::English (en)",
    ]:
        assert column in header
    survey = {
        row[1]: dict(zip(header, row, strict=False)) for row in book["survey"].iter_rows(values_only=True)
    }
    assert survey["date"]["label::Français (fr)"] == "Date de l'activité"
    assert survey["date"]["label::English (en)"] == "Activity date"
    assert survey["date"]["label::العربية (ar)"] not in ("", None, "Date de l'activité")
    settings = list(book["settings"].iter_rows(values_only=True))
    assert dict(zip(settings[0], settings[1], strict=True))["default_language"] == "Français (fr)"
    choices = {(r[0], r[1]) for r in book["choices"].iter_rows(min_row=2, values_only=True)}
    assert ("resultats", "R1") in choices and ("publics", "migrants") in choices


def test_same_version_when_nothing_changed(partnership):
    found = structure(partnership, "bureau-migrants")
    first = xlsforms.current(found, "activite")
    again = xlsforms.current(found, "activite")
    assert again.pk == first.pk
    assert FormVersion.objects.filter(structure=found, kind="activite").count() == 1


def test_a_new_result_gives_a_new_version(partnership):
    found = structure(partnership, "maison-creation")
    first = xlsforms.current(found, "activite")
    Result.objects.create(partnership=partnership, code="R6", level="result", name="Sixième", order=99)
    second = xlsforms.current(found, "activite")
    assert (first.version, second.version) == ("1", "2")
    assert ">R6<" in second.xform and ">R6<" not in first.xform
    assert xlsforms.current(found, "activite").pk == second.pk


def test_a_new_person_gives_a_new_version(partnership):
    found = structure(partnership, "centre-jour")
    first = xlsforms.current(found, "activite")
    PersonFactory(structure=found, first_name="Zineb", last_name="Tazi", birth_year=2004)
    second = xlsforms.current(found, "activite")
    assert second.version == "2" and second.source_hash != first.source_hash
    # Another structure's form does not change.
    other = structure(partnership, "maison-creation")
    before = xlsforms.current(other, "activite")
    PersonFactory(structure=found)
    assert xlsforms.current(other, "activite").pk == before.pk


def test_two_builds_at_once_give_one_version(partnership, monkeypatch):
    """The second request read before the first stored: its write fails on the unique version and
    it returns the first's, without an error."""
    found = structure(partnership, "figuiers-toulaasri")
    winner = xlsforms.current(found, "activite")
    real, stale = xlsforms._latest, [True]

    def latest(found, kind):
        return None if stale and stale.pop() else real(found, kind)

    monkeypatch.setattr(xlsforms, "_latest", latest)
    monkeypatch.setattr(xlsforms, "_next_version", lambda identifier: winner.version)
    assert xlsforms.current(found, "activite").pk == winner.pk
    assert not stale  # it did read stale, and wrote, and failed, and read again
    assert FormVersion.objects.filter(structure=found).count() == 1
    with pytest.raises(IntegrityError):  # the constraint the retry relies on
        FormVersion.objects.create(
            partnership=partnership, structure=found, kind="activite", form_id=winner.form_id, version="1"
        )


def test_people_csv_holds_the_structures_people_only(partnership):
    found = structure(partnership, "bureau-migrants")
    lines = rows(xlsforms.people_csv(found))
    assert lines[0] == ["name", "label"]
    codes = [name for name, _label in lines[1:]]
    assert codes and set(codes) == set(Person.objects.filter(structure=found).values_list("code", flat=True))
    elsewhere = Person.objects.exclude(structure=found).values_list("code", flat=True)
    assert not set(codes) & set(elsewhere)


def test_people_csv_labels_follow_the_setting(partnership):
    found = structure(partnership, "maison-creation")
    person = PersonFactory(structure=found, first_name="Amina", last_name="Bennani", birth_year=1990)

    def label():
        return dict(rows(xlsforms.people_csv(found))[1:])[person.code]

    assert label() == f"{person.code} A.B. 1990"  # the default
    expected = {
        PersonLabel.INITIALS: f"{person.code} A.B.",
        PersonLabel.CODE: person.code,
        PersonLabel.NAME: f"{person.code} Amina B.",
        PersonLabel.INITIALS_YEAR: f"{person.code} A.B. 1990",
    }
    for choice, text in expected.items():
        CollectSettings.objects.update_or_create(structure=found, defaults={"person_label": choice})
        assert label() == text


def test_the_listening_centre_has_no_form_and_nobody_on_a_phone(partnership):
    centre = structure(partnership, "centre-ecoute")
    assert xlsforms.forms_for(centre) == []
    with pytest.raises(ValueError):
        xlsforms.current(centre, "activite")
    # The registry refuses such a person (people/actions.py); one written around it is still kept off.
    Person.objects.create(
        partnership=partnership, structure=centre, number=99_999, code="BLF-099999", sex="F", birth_year=1990
    )
    assert rows(xlsforms.people_csv(centre)) == [["name", "label"]]
    centre_codes = set(Person.objects.filter(structure=centre).values_list("code", flat=True))
    for found, _kind in every_form(partnership):
        assert not {name for name, _label in rows(xlsforms.people_csv(found))[1:]} & centre_codes


def xlsform_url(partnership, code, kind):
    return reverse("collect:xlsform", kwargs={"slug": partnership.slug, "structure": code, "kind": kind})


def test_xlsform_download_is_the_current_version(partnership, client_for):
    response = client_for("accueil").get(xlsform_url(partnership, "bureau-migrants", "visite"))
    assert response.status_code == 200
    version = FormVersion.objects.get(structure__code="bureau-migrants", structure__partnership=partnership)
    assert response.content == bytes(version.xlsform)
    assert "twiza_visite_bureau_migrants-v1.xlsx" in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("persona", "code", "kind", "status"),
    [
        ("coordination", "centre-jour", "seance_jour", 200),
        ("jour", "centre-jour", "activite", 200),
        ("jour", "bureau-migrants", "activite", 404),  # another structure's
        ("accueil", "bureau-migrants", "seance_jour", 404),  # not one of its forms
        ("coordination", "centre-ecoute", "activite", 404),  # the listening centre has none
        ("ecoute", "centre-ecoute", "activite", 404),
        ("jette", "maison-creation", "activite", 404),
        ("autre_coordination", "maison-creation", "activite", 404),
    ],
)
def test_xlsform_download_access(partnership, client_for, persona, code, kind, status):
    assert client_for(persona).get(xlsform_url(partnership, code, kind)).status_code == status


def test_settings_page_changes_the_phones_labels(partnership, client_for):
    found = structure(partnership, "bureau-migrants")
    first = xlsforms.current(found, "activite")
    url = reverse("collect:settings", kwargs={"slug": partnership.slug, "structure": found.code})
    client = client_for("coordination")
    assert client.get(url).status_code == 200
    bad = client.post(url, {"person_label": "tout"})
    assert bad.status_code == 200 and bad.context["form"].errors
    assert not CollectSettings.objects.filter(structure=found).exists()
    assert client.post(url, {"person_label": "code-seul"}).status_code == 302
    assert CollectSettings.objects.get(structure=found).person_label == "code-seul"
    second = xlsforms.current(found, "activite")
    assert second.version == "2"
    assert all(name == label for name, label in rows(xlsforms.people_csv(found))[1:])
    assert first.pk != second.pk


def test_import_page_links_to_the_forms_of_her_structures(partnership, client_for):
    url = reverse("reports:import_upload", kwargs={"slug": partnership.slug})
    coordinator = client_for("coordination").get(url).content.decode()
    for found, kind in every_form(partnership):
        assert xlsform_url(partnership, found.code, kind) in coordinator
    educator = client_for("jour").get(url).content.decode()
    assert xlsform_url(partnership, "centre-jour", "seance_jour") in educator
    assert xlsform_url(partnership, "bureau-migrants", "activite") not in educator
    listener = client_for("ecoute").get(url)
    assert listener.status_code == 200 and "/collecte/formulaires/" not in listener.content.decode()


def test_the_douars_are_offered_in_every_language_and_only_where_there_are_some(partnership, world):
    """Issue 18: `select_one douars` (activity, new people's residence, visitor's origin), the
    partnership's douars as choices with their Arabic names; a partnership without douars gets no
    such question (an empty list of choices is no form)."""
    book = xlsforms.sheets(structure(partnership, "maison-creation"), "activite")
    douars = [row for row in book["choices"] if row[0] == "douars"]
    assert {row[1] for row in douars} == set(partnership.douars.values_list("code", flat=True))
    header = book["choices"][0]
    toulaasri = next(row for row in douars if row[1] == "toulaasri")
    assert toulaasri[header.index("label::العربية (ar)")] == "تولعسري"
    assert toulaasri[header.index("label::Français (fr)")] == "Toulaasri"
    from partnerships.tests.factories import StructureFactory

    elsewhere = StructureFactory(partnership=world["other"])
    assert not world["other"].douars.exists()
    other = xlsforms.sheets(elsewhere, "activite")
    assert not any(row[1] == "douar" for row in other["survey"])
