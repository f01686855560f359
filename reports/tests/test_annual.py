"""The annual report: page, narratives (draft, final lock, stale versions), PDF, XLSX and CSV."""

import csv
import io
import re

import pytest
from django.utils import translation

from indicators import figures
from partnerships.access import access_for
from reports import annual, outputs
from reports.models import Narrative

YEAR = 2025


def url(world, suffix=""):
    return f"/p/{world['partnership'].slug}/rapports/{YEAR}/{suffix}"


def test_report_page_shows_each_result_and_indicator_values(demo_activity, client_for):
    page = client_for("coordination").get(url(demo_activity))
    assert page.status_code == 200
    html = page.content.decode()
    report = annual.annual_report(
        demo_activity["partnership"],
        access_for(demo_activity["users"]["coordination"], demo_activity["partnership"]),
        YEAR,
    )
    for block in report["blocks"]:
        assert f'id="report-{block["result"].code}"' in html
    oc2 = next(t for b in report["blocks"] for t in b["tables"] if t.indicator.code == "OC.2")
    assert oc2.cells[(YEAR, "F")].actual > 0
    assert f'{oc2.cells[(YEAR, "F")].actual}<span class="target"> / 43' in html
    assert "Décisions des comités de pilotage" in html


def test_partner_officer_sees_suppressed_cells_never_small_values(demo_activity):
    partnership = demo_activity["partnership"]
    report = annual.annual_report(partnership, access_for(demo_activity["users"]["jette"], partnership), YEAR)
    for block in report["blocks"]:
        for table in block["tables"]:
            if not figures.counts_people(table.indicator):
                continue  # activities and plants identify nobody: shown as they are
            k = 10 if table.indicator.source == "cases" else 5
            for cell in table.cells.values():
                assert cell.actual is None or not 0 < cell.actual < k
        for row in block["activities"]:
            for value in row.values.values():
                assert value is None or not 0 < value < 5


def test_narrative_draft_then_final_is_locked(demo_activity, client_for):
    client = client_for("coordination")
    narrative_url = url(demo_activity, "recits/R1/")
    response = client.post(narrative_url, {"text": "Premier jet", "version": 0})
    assert response.status_code == 302
    response = client.post(narrative_url, {"text": "Version finale R1", "version": 1, "final": "on"})
    assert response.status_code == 302
    narrative = Narrative.objects.get(result__code="R1", year=YEAR)
    assert narrative.locked and narrative.text == "Version finale R1"
    assert "Version finale R1" in client.get(url(demo_activity)).content.decode()
    refused = client.post(narrative_url, {"text": "Changement", "version": 2})
    assert refused.status_code == 409
    narrative.refresh_from_db()
    assert narrative.text == "Version finale R1"


def test_narrative_from_a_stale_version_is_refused(demo_activity, client_for):
    client = client_for("coordination")
    narrative_url = url(demo_activity, "recits/R2/")
    client.post(narrative_url, {"text": "A", "version": 0})
    stale = client.post(narrative_url, {"text": "B écrit sur une vieille version", "version": 0})
    assert stale.status_code == 409
    assert "depuis que vous" in stale.content.decode()
    assert "B écrit sur une vieille version" in stale.content.decode()  # what she typed is kept
    assert Narrative.objects.get(result__code="R2", year=YEAR).text == "A"


def test_only_the_coordinator_writes_narratives(demo_activity, client_for):
    for persona in ["jette", "reseau", "jour"]:
        assert (
            client_for(persona)
            .post(url(demo_activity, "recits/R1/"), {"text": "x", "version": 0})
            .status_code
            == 404
        )
    assert not Narrative.objects.exists()


def _pdf_text(data: bytes) -> tuple[int, str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_pdf_pages_and_indicator_values(demo_activity, language):
    partnership = demo_activity["partnership"]
    with translation.override(language):
        report = annual.annual_report(
            partnership, access_for(demo_activity["users"]["coordination"], partnership), YEAR
        )
        html = outputs.report_html(report)
        data = outputs.report_pdf(report)
    assert ('dir="rtl"' in html) == (language == "ar")
    pages, text = _pdf_text(data)
    # A title page, then each result starts a page of its own, then the structures and committees.
    assert pages >= len(report["blocks"]) + 2
    oc2 = next(t for b in report["blocks"] for t in b["tables"] if t.indicator.code == "OC.2")
    for sex in ("F", "M", "T"):
        assert str(oc2.cells[(YEAR, sex)].actual) in text
    assert "OC.2" in text
    # The charts print in colour (explicit SVG fills, never black) with their values and targets.
    fills = set(re.findall(r'<rect [^>]*fill="([^"]+)"', html))
    assert {"#994455", "#6699CC"} <= fills and not fills & {"black", "#000", "#000000"}
    assert "var(" not in html.split("<svg", 1)[1]
    assert ("/ 150" in text or "150 /" in text) and ("/ 51" in text or "51 /" in text)


def test_pdf_download_and_arabic_text(demo_activity, client_for):
    client = client_for("jette")
    client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    response = client.get(url(demo_activity, "rapport.pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    _pages, text = _pdf_text(response.content)
    assert "OC.2" in text
    assert "< 5" in text or "5 >" in text or "5 <" in text or "OC.3" in text


def test_xlsx_opens_and_holds_the_values(demo_activity, client_for):
    import openpyxl

    response = client_for("coordination").get(url(demo_activity, "rapport.xlsx"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    partnership = demo_activity["partnership"]
    report = annual.annual_report(
        partnership, access_for(demo_activity["users"]["coordination"], partnership), YEAR
    )
    territory = [] if report["coverage"].empty else ["territoire"]  # with douars, the coverage's sheet
    budget = [] if report["budget"] is None or report["budget"].empty else ["budget"]  # with budget lines
    assert book.sheetnames == [b["result"].code for b in report["blocks"]] + territory + budget + ["données"]
    oc2 = next(t for b in report["blocks"] for t in b["tables"] if t.indicator.code == "OC.2")
    rows = list(book["données"].iter_rows(values_only=True))
    wanted = ("indicateur", "OC", "OC.2")
    female = [r for r in rows if r[:3] == wanted and r[4] == str(YEAR) and r[5] == "F"]
    assert female and female[0][6] == 43 and female[0][7] == oc2.cells[(YEAR, "F")].actual
    sheet_values = [c for row in book["OC"].iter_rows(values_only=True) for c in row]
    assert oc2.cells[(YEAR, "T")].actual in sheet_values


def test_csv_holds_the_same_rows_suppressed_for_the_partner(demo_activity, client_for):
    response = client_for("jette").get(url(demo_activity, "rapport.csv"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["section", "résultat", "code"]
    for row in rows[1:]:
        if row[0] == "couverture-activites":  # a number of activities, not of people: never hidden
            continue
        if row[8] == "oui":
            assert row[7].startswith("<") or row[7] == "×"
        elif row[7].isdigit():
            assert not 0 < int(row[7]) < 5


def test_a_year_outside_the_programme_is_a_404(demo_activity, client_for):
    assert (
        client_for("coordination").get(f"/p/{demo_activity['partnership'].slug}/rapports/2031/").status_code
        == 404
    )


def _reference_participants(partnership, year):
    """The participant figures read straight from the raw rows (the report's former ORM queries)."""
    from django.db.models import Count, Sum

    from activities.models import Activity, Attendance, Tally

    activities = Activity.objects.filter(partnership=partnership, date__year=year)
    held = {
        (row["results"], row["kind"]): row["n"]
        for row in activities.values("results", "kind").annotate(n=Count("pk", distinct=True))
    }
    people = {}
    rows = Attendance.objects.filter(activity__in=activities).values(
        "activity__results", "activity__kind", "person__sex"
    )
    for row in rows.annotate(n=Count("pk")):
        key = (row["activity__results"], row["activity__kind"], row["person__sex"])
        people[key] = people.get(key, 0) + row["n"]
    rows = Tally.objects.filter(activity__in=activities).values("activity__results", "activity__kind", "sex")
    for row in rows.annotate(n=Sum("count")):
        key = (row["activity__results"], row["activity__kind"], row["sex"])
        people[key] = people.get(key, 0) + (row["n"] or 0)
    return held, {key: n for key, n in people.items() if n}


def _write_participations(partnership):
    """Tallies and attendance written through the actions, as users write them: an activity of two
    results, one of none, tallies set, raised and lowered, an activity moved out of the year, one deleted."""
    import datetime

    from activities import actions
    from activities.models import Activity
    from people.models import Person, TargetGroup

    r1, r2 = partnership.results.get(code="R1"), partnership.results.get(code="R2")
    group = TargetGroup.objects.get(code="migrants")

    def new(kind, *results, day=datetime.date(YEAR, 5, 2)):
        activity = actions.create_activity(Activity(partnership=partnership, kind=kind, title="T", date=day))
        actions.set_results(activity, results)
        return activity

    both, unlinked, moved, deleted = (
        new("formation", r1, r2),
        new("forum"),
        new("formation", r1),
        new("forum"),
    )
    actions.set_tally(both, "F", None, 7)
    actions.set_tally(both, "F", group, 3)
    actions.set_tally(both, "M", None, 2)
    actions.add_to_tally(both, "X", None, 1)
    actions.set_tally(unlinked, "M", None, 4)
    actions.set_tally(unlinked, "M", None, 3)  # lowered
    actions.add_to_tally(unlinked, "F", None, 1)
    actions.add_to_tally(unlinked, "F", None, -1)  # back to 0
    actions.add_to_tally(unlinked, "F", None, -1)  # refused: never below 0
    actions.record_attendance(both, list(Person.objects.filter(partnership=partnership)[:3]))
    for activity in (moved, deleted):
        actions.set_tally(activity, "F", None, 50)
    actions.move_activity(moved, datetime.date(YEAR + 1, 1, 1))
    actions.delete_activity(deleted)
    return both, unlinked


def test_participants_match_the_raw_rows_by_result_kind_and_sex(demo_activity):
    partnership = demo_activity["partnership"]
    both, unlinked = _write_participations(partnership)
    held, people = annual._participants(partnership, YEAR)
    assert (held, {k: n for k, n in people.items() if n}) == _reference_participants(partnership, YEAR)
    r1, r2 = (partnership.results.get(code=c).pk for c in ("R1", "R2"))
    for result in (r1, r2):  # an activity of two results counts under each
        assert people[(result, "formation", "F")] >= 10 and people[(result, "formation", "X")] >= 1
    assert held[(None, "forum")] >= 1 and people[(None, "forum", "M")] >= 3  # linked to no result


def test_activities_created_and_edited_through_the_pages_count_under_their_results(demo_activity, client_for):
    from django.urls import reverse

    from activities import actions
    from activities.models import Activity
    from people.models import Person

    partnership = demo_activity["partnership"]
    r1, r2 = partnership.results.get(code="R1"), partnership.results.get(code="R2")

    def figures():
        held, people = annual._participants(partnership, YEAR)
        return held, {k: n for k, n in people.items() if n}

    client = client_for("coordination")
    data = {"kind": "forum", "title": "Forum des liens", "date": f"{YEAR}-03-04", "results": [r1.pk]}
    assert (
        client.post(reverse("activities:create", kwargs={"slug": partnership.slug}), data).status_code == 302
    )
    activity = Activity.objects.get(title="Forum des liens")
    assert list(activity.results.all()) == [r1]
    actions.set_tally(activity, "F", None, 6)
    actions.record_attendance(activity, list(Person.objects.filter(partnership=partnership)[:2]))
    assert figures() == _reference_participants(partnership, YEAR)
    url = reverse("activities:edit", kwargs={"slug": partnership.slug, "pk": activity.pk})
    for change in (
        {"results": [r1.pk, r2.pk], "kind": "atelier"},
        {"results": []},
        {"date": f"{YEAR - 1}-03-04"},
    ):
        activity.refresh_from_db()
        data = {**data, **change, "version": activity.version}
        assert client.post(url, data).status_code == 302
        assert figures() == _reference_participants(partnership, YEAR)


def test_participant_figures_survive_a_rebuild_and_stay_suppressed_for_a_partner(demo_activity):
    from indicators import engine

    partnership = demo_activity["partnership"]
    _write_participations(partnership)
    incremental = annual._participants(partnership, YEAR)
    engine.rebuild(partnership)
    assert annual._participants(partnership, YEAR) == incremental
    held, people = _reference_participants(partnership, YEAR)
    for username, sees_individuals in (("coordination", True), ("jette", False)):
        report = annual.annual_report(
            partnership, access_for(demo_activity["users"][username], partnership), YEAR
        )
        for block in [*report["blocks"], {"result": None, "activities": report["unlinked"]}]:
            result_id = block["result"].pk if block["result"] else None
            expected = annual.kind_rows(held, people, result_id, sees_individuals)
            assert block["activities"] == expected
    unlinked = annual.kind_rows(held, people, None, sees_individuals=False)
    assert any(v is None for row in unlinked for v in row.values.values())  # small cells hidden
    assert all(v is None or not 0 < v < 5 for row in unlinked for v in row.values.values())


def test_kind_rows_mark_a_complement_as_such_never_as_a_small_count():
    """3 women and 40 men at workshops (total 43): the men are hidden as "×", not shown as "< 5"
    beside a total that gives the women away; the coordination sees everything."""
    held = {(7, "atelier"): 4, (7, "formation"): 2}
    people = {
        (7, "atelier", "F"): 3,
        (7, "atelier", "M"): 40,
        (7, "formation", "F"): 20,
        (7, "formation", "M"): 22,
    }
    rows = {row.kind: row for row in annual.kind_rows(held, people, 7, sees_individuals=False)}
    assert rows["atelier"].cells == {"F": "< 5", "M": "×", "X": "0", "T": "43"}
    assert rows["atelier"].values == {"F": None, "M": None, "X": 0, "T": 43}
    # The complement's column is protected too: formation's men or the men's total is hidden.
    assert rows["formation"].values["M"] is None or rows["total"].values["M"] is None
    assert rows["formation"].values["F"] is None or rows["total"].values["F"] is None
    inside = {row.kind: row for row in annual.kind_rows(held, people, 7, sees_individuals=True)}
    assert inside["atelier"].cells == {"F": "3", "M": "40", "X": "0", "T": "43"}
