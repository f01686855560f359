"""Imports of Kobo/ODK exports: mapping, dry run with row-numbered errors, all-or-nothing, idempotent by _uuid."""

import io
from types import SimpleNamespace

import pytest
import xlsxwriter

from activities.models import Activity, Attendance, Tally
from indicators.figures import partnership_tables
from partnerships.access import access_for
from people.models import Person
from reports import kobo
from reports.models import ImportedSubmission, ImportMapping, Job

HEADERS = [
    "_uuid",
    "_submission_time",
    "activite/titre",
    "activite/date",
    "activite/structure",
    "activite/resultats/R1",
    "activite/resultats/R3",
    "comptage/femmes",
    "comptage/hommes",
    "comptage/non_precise",
    "comptage/public",
    "presences/presents",
]


def xlsx(rows, headers=HEADERS) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("export")
    sheet.write_row(0, 0, headers)
    for i, row in enumerate(rows, start=1):
        sheet.write_row(i, 0, row)
    book.close()
    return out.getvalue()


def rows(partnership, people=""):
    return [
        [
            "u-1",
            "2025-04-02T10:00:00",
            "Réunion Belfaa",
            "2025-04-01",
            "bureau-migrants",
            1,
            0,
            3,
            12,
            0,
            "migrants",
            people,
        ],
        [
            "u-2",
            "2025-04-09T10:00:00",
            "Réunion douar",
            "2025-04-08",
            "bureau-migrants",
            0,
            1,
            5,
            7,
            1,
            "",
            "",
        ],
    ]


def upload(client, slug, data, name="export.xlsx", kind="reunion-info"):
    return client.post(f"/p/{slug}/imports/", {"kind": kind, "file": _file(data, name)})


def _file(data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def run_import(client, slug, data, name="export.xlsx"):
    response = upload(client, slug, data, name)
    assert response.status_code == 302, response.content.decode()[:500]
    mapping_url = response["Location"]
    page = client.get(mapping_url)
    assert page.status_code == 200
    form = page.context["form"]
    response = client.post(mapping_url, {k: form.initial.get(k, "") for k in form.fields})
    assert response.status_code == 302
    dry_run = client.get(response["Location"])
    return response["Location"], dry_run


def import_rows(partnership, user, lines, kind="reunion-info"):
    """`actions.import_file` of an XLSX of `lines`, for every structure, as the task runs it."""
    from reports import actions

    return actions.import_file(
        partnership,
        kind,
        user,
        partnership.structures.all(),
        xlsx(lines),
        "e.xlsx",
        kobo.guess_mapping(HEADERS),
    )


def test_mapping_is_guessed_from_group_names_and_labels():
    mapping = kobo.guess_mapping(HEADERS)
    assert mapping["uuid"] == "_uuid" and mapping["date"] == "activite/date"
    assert mapping["results"] == "activite/resultats"  # the prefix of 0/1 columns
    labelled = kobo.guess_mapping(["_uuid", "Date de l'activité", "Femmes non enregistrées"])
    assert labelled["date"] == "Date de l'activité" and labelled["tally_F"] == "Femmes non enregistrées"


def test_dry_run_then_import_creates_activities_through_the_engine(demo_activity, client_for):
    partnership = demo_activity["partnership"]
    person = Person.objects.filter(partnership=partnership, target_groups__code="migrants").first()
    client = client_for("coordination")
    before = Activity.objects.count()
    dry_url, dry_run = run_import(client, partnership.slug, xlsx(rows(partnership, person.code)))
    assert dry_run.status_code == 200
    assert [s["row"] for s in dry_run.context["new"]] == [2, 3]
    bureau = partnership.structures.get(code="bureau-migrants")
    assert {s["structure"] for s in dry_run.context["new"]} == {bureau.label}  # its name, not its code
    assert Activity.objects.count() == before  # a dry run writes nothing
    oc3 = lambda: next(  # noqa: E731
        t
        for b in partnership_tables(
            partnership, access_for(demo_activity["users"]["coordination"], partnership)
        )
        for t in b["tables"]
        if t.indicator.code == "OC.3"
    )
    response = client.post(dry_url)
    assert response.status_code == 302
    assert Activity.objects.count() == before + 2
    activity = Activity.objects.get(title="Réunion Belfaa")
    assert activity.kind == "reunion-info" and activity.structure.code == "bureau-migrants"
    assert [r.code for r in activity.results.all()] == ["R1"]
    assert Tally.objects.get(activity=activity, sex="M").count == 12
    assert Attendance.objects.filter(activity=activity, person=person).exists()
    assert oc3().cells  # the engine kept the derived tables (its own tests check the values)
    assert ImportMapping.objects.filter(partnership=partnership, kind="reunion-info").exists()
    job_page = client.get(response["Location"])
    assert "2 activité(s) créée(s)" in job_page.content.decode()
    client.cookies["django_language"] = "nl"  # the summary speaks the reader's language, not the job's
    assert "2 activiteit(en) aangemaakt" in client.get(response["Location"]).content.decode()


def test_reimporting_the_same_file_adds_nothing(demo_activity, client_for):
    partnership = demo_activity["partnership"]
    client = client_for("coordination")
    data = xlsx(rows(partnership))
    dry_url, _page = run_import(client, partnership.slug, data)
    client.post(dry_url)
    count, tallies = Activity.objects.count(), Tally.objects.count()
    dry_url, page = run_import(client, partnership.slug, data)
    assert page.context["check"]["new"] == 0 and page.context["check"]["known"] == 2
    client.post(dry_url)
    assert (Activity.objects.count(), Tally.objects.count()) == (count, tallies)
    assert ImportedSubmission.objects.count() == 2


def test_a_bad_row_writes_nothing_and_is_named(demo_activity, client_for):
    partnership = demo_activity["partnership"]
    client = client_for("coordination")
    bad = rows(partnership)
    bad.append(["u-3", "", "Mauvaise", "2025-02-30", "bureau-migrants", 0, 0, -2, 1, 0, "", "XXX-999"])
    before = Activity.objects.count()
    dry_url, page = run_import(client, partnership.slug, xlsx(bad))
    assert page.status_code == 422
    problems = page.context["problems"]
    assert {(p["row"], p["column"]) for p in problems} >= {(4, "activite/date"), (4, "comptage/femmes")}
    html = page.content.decode()
    assert "Date impossible" in html and "activite/date" in html
    assert client.post(dry_url).status_code == 422
    assert Activity.objects.count() == before and not ImportedSubmission.objects.exists()


def test_csv_with_labels_and_space_separated_codes(demo_activity, client_for):
    partnership = demo_activity["partnership"]
    client = client_for("coordination")
    data = (
        "_uuid;Date de l'activité;Structure;Résultats visés;Femmes non enregistrées\n"
        "c-1;2025-05-01;centre-jour;R1 R3;4\n"
    ).encode()
    dry_url, page = run_import(client, partnership.slug, data, name="export.csv")
    assert page.status_code == 200, page.context["problems"]
    client.post(dry_url)
    activity = ImportedSubmission.objects.get(uuid="c-1").activity
    assert sorted(r.code for r in activity.results.all()) == ["R1", "R3"]
    assert activity.tallies.get(sex="F").count == 4


def test_staff_import_only_for_their_structure(demo_activity, client_for):
    partnership = demo_activity["partnership"]
    client = client_for("jour")  # educator of the day centre
    _dry_url, page = run_import(client, partnership.slug, xlsx(rows(partnership)))
    assert page.status_code == 422
    assert "Vous ne pouvez pas importer pour la structure" in page.content.decode()


def test_bulk_path_gives_the_same_indicators_as_row_by_row(demo_activity, monkeypatch):
    """Big files are written in bulk then recounted: the indicator values and the annual report's
    totals match the row-by-row path."""
    from django.db import transaction

    from indicators.models import ActivityTotal, IndicatorValue
    from reports import actions

    partnership = demo_activity["partnership"]
    person = Person.objects.filter(partnership=partnership, target_groups__code="migrants").first()
    user = demo_activity["users"]["coordination"]

    def run():
        return import_rows(partnership, user, rows(partnership, person.code))

    def values():
        totals = ActivityTotal.objects.filter(partnership=partnership)
        return sorted(
            IndicatorValue.objects.filter(indicator__result__partnership=partnership).values_list(
                "indicator_id", "period", "sex", "value"
            )
        ), sorted(totals.values_list("year", "result_id", "kind", "activities", "f", "m", "x"), key=str)

    sid = transaction.savepoint()
    assert run().created == 2  # two rows: row by row
    by_row = values()
    transaction.savepoint_rollback(sid)
    monkeypatch.setattr(actions, "BULK_FROM", 1)
    outcome = run()
    assert (outcome.created, outcome.new, outcome.problem_count) == (2, 2, 0)
    assert values() == by_row
    again = run()
    assert (again.created, again.known) == (0, 2)


def test_a_bad_row_in_a_later_chunk_undoes_the_chunks_already_written(demo_activity, monkeypatch):
    """Rows are written a chunk at a time; a problem found after some chunks were written leaves nothing."""
    from reports import actions

    partnership = demo_activity["partnership"]
    user = demo_activity["users"]["coordination"]
    good = [
        [f"g-{i}", "", f"Séance {i}", "2025-03-0" + str(i), "centre-jour", 1, 0, 2, 0, 0, "", ""]
        for i in range(1, 6)
    ]
    bad = [*good, ["g-6", "", "Mauvaise", "2025-03-07", "centre-jour", 0, 0, "deux", 0, 0, "", ""]]
    monkeypatch.setattr(kobo.Validator, "CHUNK", 2)
    monkeypatch.setattr(actions, "BULK_FROM", 1)
    before = (Activity.objects.count(), Tally.objects.count(), ImportedSubmission.objects.count())
    outcome = import_rows(partnership, user, bad, kind="atelier")
    assert (outcome.created, outcome.problem_count) == (0, 1)
    assert [(p.row, p.column) for p in outcome.problems] == [(7, "comptage/femmes")]
    assert (Activity.objects.count(), Tally.objects.count(), ImportedSubmission.objects.count()) == before
    outcome = import_rows(partnership, user, good, kind="atelier")
    assert (outcome.created, outcome.problem_count) == (5, 0)


def test_the_dry_run_counts_every_error_and_lists_the_first(demo_activity, client_for, monkeypatch):
    monkeypatch.setattr(kobo.Validator, "PROBLEMS_KEPT", 2)
    partnership = demo_activity["partnership"]
    bad = [[f"b-{i}", "", "x", "2031-01-01", "centre-jour", 0, 0, 0, 0, 0, "", ""] for i in range(4)]
    _dry_url, page = run_import(client_for("coordination"), partnership.slug, xlsx(bad))
    assert page.status_code == 422
    assert page.context["check"]["problem_count"] == 4 and len(page.context["problems"]) == 2
    html = page.content.decode()
    assert "4 erreurs" in html and "Les 2 premières sont listées" in html


def test_the_dry_run_runs_in_the_background_and_the_page_follows_it(demo_activity, client_for, monkeypatch):
    """While the check runs the page shows its progress and polls; once it is done, htmx reloads."""
    from reports import actions

    partnership = demo_activity["partnership"]
    client = client_for("coordination")
    queued = []
    monkeypatch.setattr(actions, "check_import", SimpleNamespace(enqueue=lambda *args: queued.append(args)))
    response = upload(client, partnership.slug, xlsx(rows(partnership)))
    mapping_url = response["Location"]
    form = client.get(mapping_url).context["form"]
    dry_url = client.post(mapping_url, {k: form.initial.get(k, "") for k in form.fields})["Location"]
    page = client.get(dry_url)
    assert page.status_code == 200 and "Vérification du fichier en cours" in page.content.decode()
    assert client.post(dry_url).status_code == 200  # nothing to confirm yet: no import queued
    fragment = client.get(dry_url, headers={"HX-Request": "true"})
    assert 'id="import-check"' in fragment.content.decode() and "HX-Refresh" not in fragment
    ((job_id, token),) = queued
    from reports.tasks import check_import

    assert check_import.call(job_id, "an-older-check") == "superseded"
    assert check_import.call(job_id, token) == "done"
    assert client.get(dry_url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    page = client.get(dry_url)
    assert page.context["check"]["new"] == 2 and "2 activité(s) seront créées" in page.content.decode()


def test_a_damaged_file_is_named_not_a_failure(demo_activity, client_for):
    partnership = demo_activity["partnership"]
    data = xlsx(rows(partnership))
    client = client_for("coordination")
    response = upload(client, partnership.slug, data[: len(data) // 2])
    assert response.status_code == 200
    assert "illisible" in response.content.decode()
    assert not Job.objects.filter(partnership=partnership, kind=Job.Kind.IMPORT).exists()


def test_row_numbers_count_blank_rows_like_the_spreadsheet(demo_activity):
    partnership = demo_activity["partnership"]
    data = xlsx([rows(partnership)[0], [], [], ["u-9", "", "x", "2031-01-01", "centre-jour"]])
    headers, raw = kobo.read_table(data, "e.xlsx")
    validator = kobo.Validator(
        partnership,
        "atelier",
        partnership.structures.all(),
        demo_activity["users"]["coordination"],
        kobo.guess_mapping(headers),
        headers,
    )
    submissions, problems = validator.validate(raw, raw.first_row)
    assert [s.row for s in submissions] == [2] and [p.row for p in problems] == [5]


@pytest.mark.parametrize("persona", ["coordination", "jour"])
def test_the_sample_export_imports_cleanly_then_is_known(demo_activity, client_for, persona):
    """The demo's example export goes through mapping, dry run and import, for the coordinator and for
    staff (their own structure only); the second time every submission is already imported."""
    partnership = demo_activity["partnership"]
    client = client_for(persona)
    page = client.get(f"/p/{partnership.slug}/imports/")
    assert 'id="import-sample"' in page.content.decode()
    sample = client.get(f"/p/{partnership.slug}/imports/exemple.xlsx")
    assert sample.status_code == 200 and sample["Content-Type"].startswith("application/vnd.openxml")
    dry_url, page = run_import(client, partnership.slug, sample.content)
    assert page.status_code == 200, page.context["problems"]
    assert page.context["check"]["new"] == 12
    assert any(s["people"] for s in page.context["new"]) and any(s["results"] for s in page.context["new"])
    before = Activity.objects.count()
    client.post(dry_url)
    assert Activity.objects.count() == before + 12
    _dry_url, page = run_import(client, partnership.slug, sample.content)
    assert (page.context["check"]["new"], page.context["check"]["known"]) == (0, 12)


def test_a_uuid_twice_in_the_file_names_both_rows():
    seen = kobo.Seen()
    canonical = "0b7e3c9a-1d2f-4c5b-9a8e-7f6d5c4b3a21"
    assert seen.add(canonical, 2) and seen.add("uuid:" + canonical, 3) and seen.add("c-1", 4)
    assert not seen.add(canonical, 9) and seen.first_row(canonical) == 2
    assert not seen.add("uuid:" + canonical, 10) and seen.first_row("uuid:" + canonical) == 3
    assert not seen.add("c-1", 11) and seen.first_row("c-1") == 4
    assert seen.add(canonical.upper().replace("0B", "0C"), 12)


def test_duplicate_uuids_are_row_errors(demo_activity, client_for):
    partnership = demo_activity["partnership"]
    twice = rows(partnership)
    twice.append(["u-1", "", "Encore", "2025-04-03", "bureau-migrants", 0, 0, 1, 0, 0, "", ""])
    _dry_url, page = run_import(client_for("coordination"), partnership.slug, xlsx(twice))
    assert page.status_code == 422
    assert [(p["row"], p["column"], p["message"]) for p in page.context["problems"]] == [
        (4, "_uuid", "Même _uuid qu'à la ligne 2.")
    ]


def test_values_the_database_cannot_hold_are_row_errors(demo_activity):
    partnership = demo_activity["partnership"]
    user = demo_activity["users"]["coordination"]
    lines = [
        ["u" * 65, "", "Trop long", "2025-03-01", "centre-jour", 0, 0, 1, 0, 0, "", ""],
        ["big-1", "", "Trop de monde", "2025-03-01", "centre-jour", 0, 0, "1e19", 0, 0, "", ""],
        ["big-2", "", "Juste", "2025-03-01", "centre-jour", 0, 0, 1_000_001, 0, 0, "", ""],
    ]
    outcome = import_rows(partnership, user, lines)
    assert [(p.row, p.column) for p in outcome.problems] == [
        (2, "_uuid"),
        (3, "comptage/femmes"),
        (4, "comptage/femmes"),
    ]
    assert outcome.created == 0


def test_a_result_named_twice_is_linked_once_in_bulk(demo_activity, monkeypatch):
    from reports import actions

    monkeypatch.setattr(actions, "BULK_FROM", 1)
    partnership = demo_activity["partnership"]
    user = demo_activity["users"]["coordination"]
    headers = [*HEADERS[:5], "activite/resultats", *HEADERS[7:]]
    data = xlsx(
        [["twice-1", "", "Deux fois R1", "2025-03-01", "centre-jour", "R1 r1", 1, 0, 0, "", ""]], headers
    )
    outcome = actions.import_file(
        partnership,
        "atelier",
        user,
        partnership.structures.all(),
        data,
        "e.xlsx",
        kobo.guess_mapping(headers),
    )
    assert (outcome.created, outcome.problem_count) == (1, 0)
    activity = ImportedSubmission.objects.get(uuid="twice-1").activity
    assert [r.code for r in activity.results.all()] == ["R1"]


def test_a_type_and_place_column_give_each_activity_its_kind_an_unknown_kind_is_a_problem(demo_activity):
    """Issue 17: the optional `type` and `lieu` columns; an unknown kind is named in plain words."""
    partnership, user = demo_activity["partnership"], demo_activity["users"]["coordination"]
    headers = ["_uuid", "activite/date", "activite/type", "activite/lieu", "comptage/femmes"]

    def run(lines):
        from reports import actions

        return actions.import_file(
            partnership, "reunion-info", user, partnership.structures.all(), xlsx(lines, headers), "e.xlsx",
            kobo.guess_mapping(headers),
        )  # fmt: skip

    bad = run([["t-1", "2025-03-03", "pique-nique", "Toulaasri", 2]])
    assert [p.message for p in bad.problems] == ["Type d'activité inconnu : « pique-nique »."]
    assert bad.problems[0].column == "activite/type" and bad.created == 0
    good = run([["t-1", "2025-03-03", "campagne", "Toulaasri", 2], ["t-2", "2025-03-04", "", "", 1]])
    assert good.created == 2
    first, second = (ImportedSubmission.objects.get(uuid=u).activity for u in ("t-1", "t-2"))
    assert (first.kind, first.place, second.kind) == ("campagne", "Toulaasri", "reunion-info")


def test_one_activity_holds_tallies_of_several_groups_on_both_writers(demo_activity):
    """Validator.check takes tallies per target group; the row-by-row writer and the bulk one write
    the same rows."""
    from django.db import transaction

    from activities import bulk
    from people.models import TargetGroup
    from reports import actions

    partnership, user = demo_activity["partnership"], demo_activity["users"]["coordination"]
    validator = kobo.Validator(partnership, "atelier", partnership.structures.all(), user, {}, [])
    problems: list = []

    def check(uuid):
        return validator.check(
            lambda key, message: problems.append((key, message)),
            uuid=uuid,
            date="2025-05-05",
            tallies=[
                ("migrants", {"F": "3", "M": "1"}),
                ("", {"F": "2", "X": "4"}),
                ("migrants", {"F": "1"}),
            ],
        )

    row, again = check("g-1"), check("g-2")
    assert problems == []
    migrants = TargetGroup.objects.get(code="migrants")
    assert row.tallies == {("F", migrants): 4, ("M", migrants): 1, ("F", None): 2, ("X", None): 4}
    [activity] = actions.create_submissions(partnership, "atelier", [row], user)
    with transaction.atomic():
        [pk] = bulk.insert_activities(partnership, "atelier", user, [again])

    def rows(activity_id):
        return sorted(
            Tally.objects.filter(activity_id=activity_id).values_list("sex", "target_group", "count"), key=str
        )

    assert rows(activity.pk) == rows(pk) and len(rows(pk)) == 4
