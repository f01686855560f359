"""Issue 18: the Kobo/ODK import's optional `douar` column (group `activite`): a code of the
partnership's douars, written by both writers; an unknown code is a problem in plain words."""

import io

import xlsxwriter
from django.db import transaction

from activities import bulk
from activities.models import Activity
from partnerships.tests.factories import DouarFactory
from reports import actions, kobo
from reports.models import ImportedSubmission

HEADERS = ["_uuid", "activite/date", "activite/douar", "comptage/femmes"]


def xlsx(lines) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("export")
    sheet.write_row(0, 0, HEADERS)
    for i, line in enumerate(lines, start=1):
        sheet.write_row(i, 0, line)
    book.close()
    return out.getvalue()


def test_the_douar_column_is_guessed_checked_and_written(demo_activity):
    partnership, user = demo_activity["partnership"], demo_activity["users"]["coordination"]
    DouarFactory(partnership=demo_activity["other"], code="f-ailleurs")
    mapping = kobo.guess_mapping(HEADERS)
    assert mapping["douar"] == "activite/douar"

    def run(lines):
        return actions.import_file(
            partnership, "campagne", user, partnership.structures.all(), xlsx(lines), "e.xlsx", mapping
        )

    before = Activity.objects.count()
    bad = run([["d-1", "2025-03-03", "atlantide", 2], ["d-2", "2025-03-03", "f-ailleurs", 2]])
    assert [p.message for p in bad.problems] == [
        "Douar inconnu : « atlantide » (les codes sont ceux de la page des douars du partenariat).",
        "Douar inconnu : « f-ailleurs » (les codes sont ceux de la page des douars du partenariat).",
    ]
    assert bad.problems[0].column == "activite/douar" and bad.created == 0
    assert Activity.objects.count() == before
    good = run([["d-1", "2025-03-03", "toulaasri", 2], ["d-2", "2025-03-04", "", 1]])
    assert good.created == 2
    first, second = (ImportedSubmission.objects.get(uuid=u).activity for u in ("d-1", "d-2"))
    assert (first.douar.code, second.douar) == ("toulaasri", None)


def test_both_writers_write_the_douar(demo_activity):
    partnership, user = demo_activity["partnership"], demo_activity["users"]["coordination"]
    validator = kobo.Validator(partnership, "atelier", partnership.structures.all(), user, {}, [])
    problems: list = []
    rows = [
        validator.check(lambda *problem: problems.append(problem), uuid=u, date="2025-05-05", douar="tassila")
        for u in ("w-1", "w-2")
    ]
    assert problems == []
    [activity] = actions.create_submissions(partnership, "atelier", rows[:1], user)
    with transaction.atomic():
        [pk] = bulk.insert_activities(partnership, "atelier", user, rows[1:])
    assert activity.douar.code == Activity.objects.get(pk=pk).douar.code == "tassila"
