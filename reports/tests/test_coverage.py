"""The coverage of the territory: counts per douar against the raw rows, disclosure per viewer, the
map's SVG (stable, escaped, never a hidden value), the page and the annual report's section."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from activities import actions
from activities.models import Activity, Attendance, Tally
from activities.tests.factories import ActivityFactory
from core.tests import test_languages
from partnerships.access import access_for
from partnerships.models import Douar, Structure
from partnerships.tests.factories import DouarFactory
from people.models import Person
from people.tests.factories import PersonFactory
from reports import annual, coverage, maps, outputs

pytestmark = pytest.mark.small_world

GOLDEN = Path(__file__).parent / "golden" / "coverage_map.svg"


def _people(partnership, n, douar=None) -> list:
    """`n` registered people, living in `douar` (set after registration, as the registry's form does)."""
    people: list[Person] = [PersonFactory(partnership=partnership) for _ in range(n)]  # type: ignore[misc]
    Person.objects.filter(pk__in=[p.pk for p in people]).update(douar=douar)
    return people


@pytest.fixture
def territory(world):
    """Three douars of the small world's partnership (2022–2026), fixed dates in the past:
    - Tazrout (population 1,200): two activities in 2024, 12 distinct registered attendees (4 came
      twice) and a tally of 7 women; one activity in 2025 with 2 attendees; one planned after today;
    - Ighil (population unknown): one activity in 2024, 3 attendees (2 of them also at Tazrout);
    - Anzi (population 500): nothing held there, but 10 of the attendees live there.
    And one activity of 2024 with no douar."""
    partnership = world["partnership"]
    place = {"partnership": partnership}
    tazrout = DouarFactory(
        **place,
        code="f-tazrout",
        name="Tazrout",
        latitude=Decimal("30.05000"),
        longitude=Decimal("-9.55000"),
        population=1200,
        translations={"ar": {"name": "تازروت"}},
    )
    ighil = DouarFactory(
        **place, code="f-ighil", name="Ighil", latitude=Decimal("30.02000"), longitude=Decimal("-9.50000")
    )
    anzi = DouarFactory(
        **place,
        code="f-anzi",
        name="Anzi",
        latitude=Decimal("29.99000"),
        longitude=Decimal("-9.58000"),
        population=500,
    )
    residents, others = _people(partnership, 10, douar=anzi), _people(partnership, 2)
    first = ActivityFactory(**place, douar=tazrout, date=datetime.date(2024, 3, 4))
    second = ActivityFactory(**place, douar=tazrout, date=datetime.date(2024, 6, 8))
    actions.record_attendance(first, residents[:8])
    actions.record_attendance(second, residents[4:] + others)
    actions.set_tally(second, "F", None, 7)
    at_ighil = ActivityFactory(**place, douar=ighil, date=datetime.date(2024, 9, 1))
    actions.record_attendance(at_ighil, [residents[0], residents[1], others[0]])
    later = ActivityFactory(**place, douar=tazrout, date=datetime.date(2025, 2, 1))
    actions.record_attendance(later, residents[:2])
    ActivityFactory(**place, douar=tazrout, date=timezone.localdate() + datetime.timedelta(days=3))
    ActivityFactory(**place, date=datetime.date(2024, 4, 1))
    return {"partnership": partnership, "douars": [tazrout, ighil, anzi]}


def raw(douar, year):
    """The plain query of the raw rows: activities held at `douar` in `year` up to today, people
    reached there (distinct registered attendees + tallies), registered residents who took part."""
    today = timezone.localdate()
    held = Activity.objects.filter(douar=douar, date__year=year, date__lte=today)
    attendees = set(Attendance.objects.filter(activity__in=held).values_list("person_id", flat=True))
    tallied = Tally.objects.filter(activity__in=held).aggregate(n=Sum("count"))["n"] or 0
    took_part = Attendance.objects.filter(person__douar=douar, date__year=year, date__lte=today)
    return {
        "activities": held.count(),
        "reached": len(attendees) + tallied,
        "residents": len(set(took_part.values_list("person_id", flat=True))),
    }


def table(world, persona, year):
    partnership = world["partnership"]
    return coverage.coverage(partnership, access_for(world["users"][persona], partnership), year)


@pytest.mark.parametrize("year", [2024, 2025])
def test_coordinator_sees_the_raw_counts_of_each_douar(territory, world, year):
    shown = table(world, "coordination", year)
    assert not shown.suppressed
    assert [row.name for row in shown.rows] == ["Anzi", "Ighil", "Tazrout"]
    for row in shown.rows:
        counts = raw(row.douar, year)
        assert row.activities == counts["activities"]
        assert row.reached.value == counts["reached"]
        assert row.residents.value == counts["residents"]
    tazrout = next(row for row in shown.rows if row.name == "Tazrout")
    assert (tazrout.activities, tazrout.reached.value) == ((2, 19) if year == 2024 else (1, 2))


def test_totals_count_a_person_reached_in_two_douars_once(territory, world):
    shown = table(world, "coordination", 2024)
    assert shown.total.reached.value == 19  # 12 registered + 7 tallied; Ighil's 3 were at Tazrout too
    assert shown.total.residents.value == 10
    assert shown.total.activities == 3
    assert shown.unlocated == 1


def test_queries_do_not_grow_with_the_douars(territory, world):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            table(world, "jette", 2024)
        return len(captured)

    before = queries()
    for n in range(5):
        douar = DouarFactory(partnership=world["partnership"], population=100 + n)
        ActivityFactory(partnership=world["partnership"], douar=douar, date=datetime.date(2024, 1, 2 + n))
    assert queries() == before


def test_programme_counts_distinct_people_and_nothing_after_today(territory, world):
    shown = table(world, "coordination", None)
    tazrout = next(row for row in shown.rows if row.name == "Tazrout")
    assert tazrout.activities == 3  # the activity planned after today is not held yet
    assert tazrout.reached.value == 19  # 2025's two attendees came in 2024 already
    assert tazrout.per_thousand == "15,8"  # 19 / 1,200 × 1,000


@pytest.mark.parametrize(
    ("persona", "year"), [("jette", 2024), ("jette", 2025), ("reseau", 2024), ("admin", 2024)]
)
def test_aggregate_viewers_get_the_raw_counts_or_a_mark(territory, world, persona, year):
    shown = table(world, persona, year)
    assert shown.suppressed
    for row in [*shown.rows]:
        counts = raw(row.douar, year)
        for measure in ("reached", "residents"):
            cell = getattr(row, measure)
            if cell.hidden:
                assert cell.mark == "×" or (cell.mark == "< 5" and 0 < counts[measure] < 5)
            else:
                assert cell.value == counts[measure]
                assert not 0 < cell.value < 5
        if row.reached.hidden:  # its rate per 1,000 would give the count back
            assert row.per_thousand == row.reached.mark


def test_small_counts_are_hidden_for_the_partner_every_period(territory, world):
    ighil = [next(r for r in table(world, "jette", y).rows if r.name == "Ighil") for y in (2024, None)]
    assert [r.reached.mark for r in ighil] == ["< 5", "< 5"]
    in_2025 = table(world, "jette", 2025)
    assert in_2025.total.reached.hidden  # the two attendees of 2025, total included


def test_map_is_stable_and_equal_to_its_golden_file(territory, world):
    with translation.override("fr"):
        first = table(world, "coordination", 2024).map
        second = table(world, "coordination", 2024).map
    assert first == second
    assert str(first) == GOLDEN.read_text(encoding="utf-8")


def test_map_never_draws_a_hidden_value(territory, world):
    with translation.override("fr"):
        shown = table(world, "jette", 2024)
    svg = str(shown.map)
    assert "Ighil <tspan" in svg
    assert "(&lt; 5)" in svg
    assert "(3)" not in svg
    ighil = next(row for row in shown.rows if row.name == "Ighil")
    assert ighil.reached.value is None
    ighil_circle = svg.split("Ighil <tspan")[0].rsplit("<circle ", 1)[1]
    assert f'r="{maps.R_MIN:.1f}"' in ighil_circle


def test_map_escapes_names_and_holds_no_script_or_external_resource(territory, world):
    Douar.objects.filter(code="f-anzi").update(name='<script>alert(1)</script>" onload="x')
    with translation.override("fr"):
        svg = str(table(world, "coordination", 2024).map)
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    assert 'onload="x' not in svg
    assert "href" not in svg and "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert 'role="img"' in svg and "aria-label=" in svg and "<title>" in svg and "<desc>" in svg


def test_map_in_arabic_runs_right_to_left(territory, world):
    with translation.override("ar"):
        svg = str(table(world, "coordination", 2024).map)
    assert "تازروت" in svg
    assert 'direction="rtl"' in svg


def test_no_douar_shows_a_sentence_and_no_map(world, client_for):
    page = client_for("coordination").get(f"/p/{world['partnership'].slug}/territoire/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Aucun douar ni quartier" in html
    assert "coverage-map" not in html


def test_page_shows_map_and_table_per_viewer(territory, world, client_for):
    url = f"/p/{world['partnership'].slug}/territoire/?annee=2024"
    coordinator = client_for("coordination").get(url).content.decode()
    assert '<svg class="coverage-map"' in coordinator
    assert '<td class="num">3</td>' in coordinator  # Ighil's people reached, exact
    partner = client_for("jette").get(url).content.decode()
    assert '<svg class="coverage-map"' in partner
    ighil = partner.split('<th scope="row">Ighil</th>')[1].split("</tr>")[0]
    assert "&lt; 5" in ighil
    assert ">3<" not in ighil


@pytest.mark.parametrize("language", ["ar", "nl", "en"])
def test_page_and_report_speak_every_language(territory, world, client_for, language):
    test_languages.database_texts.cache_clear()  # this test's names are content, not interface
    test_languages.stored_with.cache_clear()
    client = client_for("jette")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    slug = world["partnership"].slug
    for url in (f"/p/{slug}/territoire/?annee=2024", f"/p/{slug}/rapports/2024/"):
        page = client.get(url)
        assert page.status_code == 200
        assert test_languages.problems(page.content.decode(), language) == []


def test_a_bad_year_shows_the_programme_not_an_error(territory, world, client_for):
    page = client_for("coordination").get(f"/p/{world['partnership'].slug}/territoire/?annee=abc")
    assert page.status_code == 200


def test_annual_report_has_the_coverage_section(territory, world, client_for):
    partnership = world["partnership"]
    page = client_for("jette").get(f"/p/{partnership.slug}/rapports/2024/").content.decode()
    assert 'id="report-coverage"' in page
    assert '<svg class="coverage-map"' in page
    report = annual.annual_report(partnership, access_for(world["users"]["jette"], partnership), 2024)
    data = outputs.report_csv(report).decode("utf-8-sig")
    assert "couverture-personnes" in data
    assert ",f-ighil,Ighil,2024,total,,< 5,oui" in data
    html = outputs.report_html(report)
    assert 'id="report-coverage"' in html and "coverage-map" in html
    assert outputs.report_pdf(report).startswith(b"%PDF")
    sheet = openpyxl.load_workbook(io.BytesIO(outputs.report_xlsx(report)))["territoire"]
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True)}
    assert rows["Ighil"][3] == "< 5"
    assert rows["Tazrout"][1:4] == (1200, 2, 19)


def test_a_listening_centre_activity_never_counts_in_a_douar(territory, world):
    """Its place is never finer than the commune (docs/security.md 9): the action refuses a douar on
    it, and one given before this rule (or by any other path) counts in no douar."""
    partnership = world["partnership"]
    centre = partnership.structures.get(kind=Structure.Kind.LISTENING_CENTRE)
    tazrout = territory["douars"][0]
    before = raw(tazrout, 2024)
    with pytest.raises(actions.OutsidePartnership):
        actions.create_activity(
            Activity(
                partnership=partnership,
                structure=centre,
                douar=tazrout,
                kind="atelier",
                title="x",
                date=datetime.date(2024, 5, 2),
            )
        )
    held = ActivityFactory(partnership=partnership, structure=centre, date=datetime.date(2024, 5, 2))
    actions.set_tally(held, "F", None, 6)
    Activity.objects.filter(pk=held.pk).update(douar=tazrout)
    row = next(r for r in table(world, "coordination", 2024).rows if r.douar == tazrout)
    assert row.activities == before["activities"]
    assert row.reached.value == before["reached"]


def test_a_douar_year_of_one_activity_is_never_the_complement(territory, world):
    """One activity in a douar's year: the activity list shows its count from 5 up, so hiding that
    cell as the complement of a small one would hide nothing (the reviewer subtracted it)."""
    partnership = world["partnership"]
    solo = DouarFactory(partnership=partnership, code="f-solo", name="Solo", population=300)
    big = ActivityFactory(partnership=partnership, douar=solo, date=datetime.date(2023, 5, 2))
    actions.set_tally(big, "F", None, 20)
    small_one = ActivityFactory(partnership=partnership, douar=solo, date=datetime.date(2025, 5, 2))
    actions.record_attendance(small_one, _people(partnership, 2))
    actions.set_tally(small_one, "M", None, 2)
    row = next(r for r in table(world, "jette", 2023).rows if r.douar == solo)
    assert row.reached.value == 20 and not row.reached.hidden


def test_a_name_cannot_turn_the_figures_around_on_the_map(territory, world):
    tazrout = territory["douars"][0]
    Douar.objects.filter(pk=tazrout.pk).update(name="\u202eTazrout")
    with translation.override("fr"):
        svg = str(table(world, "coordination", 2024).map)
    assert "\u202e" not in svg and "Tazrout <tspan" in svg
