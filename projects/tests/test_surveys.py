"""Surveys: created with their questions, answered in Twiza or imported from a Kobo/ODK export (the
same form counted once), and read through the disclosure rule."""

import html
import io
import uuid

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from people.models import TargetGroup
from projects.models import Answer, Project, Question, Response, Survey
from projects.surveys import ResponseRefused, import_answers, record_response

pytestmark = pytest.mark.django_db


def _project(world):
    return Project.objects.filter(partnership=world["partnership"], proposal__isnull=False).first()


@pytest.fixture
def survey(world):
    s = Survey.objects.create(
        partnership=world["partnership"], code="terrain", title="Le terrain de sport", project=_project(world)
    )
    Question.objects.create(survey=s, code="utile", text="Le terrain vous est-il utile ?", favourable=4)
    Question.objects.create(
        survey=s, code="sur", text="Vous y sentez-vous en sécurité ?", low=0, high=10, favourable=7
    )
    return s


def _url(name, world, survey=None):
    kwargs = {"slug": world["partnership"].slug}
    if survey is not None:
        kwargs["pk"] = survey.pk
    return reverse(f"projects:{name}", kwargs=kwargs)


def _csv(rows, headers=("_uuid", "date", "sexe", "public", "utile", "sur")) -> SimpleUploadedFile:
    lines = [",".join(headers)] + [",".join(map(str, row)) for row in rows]
    return SimpleUploadedFile("export.csv", "\n".join(lines).encode(), content_type="text/csv")


# --- Surveys and questions ---------------------------------------------------------------------


def test_the_coordination_creates_a_survey_and_its_questions(world, client_for):
    client = client_for("coordination")
    project = _project(world)
    response = client.post(
        _url("surveys", world), {"code": "accueil", "title": "Accueil", "project": project.pk}
    )
    assert response.status_code == 302
    survey = Survey.objects.get(code="accueil")
    assert survey.project == project and survey.partnership == world["partnership"]
    data = {
        "code": "clair",
        "text": "Clair ?",
        "low": 1,
        "high": 5,
        "favourable": 4,
        "low_label": "pas du tout",
    }
    assert client.post(_url("survey", world, survey), data).status_code == 302
    assert survey.questions.get().low_label == "pas du tout"
    assert "Clair ?" in client_for("jette").get(_url("survey", world, survey)).content.decode()


def test_a_survey_serves_a_project_or_a_result(world, client_for):
    response = client_for("coordination").post(_url("surveys", world), {"code": "vide", "title": "Vide"})
    assert response.status_code == 200
    assert "Choisissez le projet ou le résultat" in response.content.decode()
    assert not Survey.objects.filter(code="vide").exists()


def test_a_question_s_scale_is_in_order(world, client_for, survey):
    Response.objects.all().delete()
    client = client_for("coordination")
    data = {"code": "q", "text": "Q ?", "low": 1, "high": 5, "favourable": 6}
    response = client.post(_url("survey", world, survey), data)
    assert "doit être dans l'échelle" in html.unescape(response.content.decode())
    response = client.post(_url("survey", world, survey), {**data, "high": 1, "favourable": 1})
    assert "doit dépasser le bas" in response.content.decode()
    assert survey.questions.count() == 2


def test_questions_no_longer_change_once_answered(world, client_for, survey):
    record_response(survey, "uuid:1", date=_day(), sex="F", values=_values(survey, 5, 8))
    data = {"code": "q", "text": "Q ?", "low": 1, "high": 5, "favourable": 4}
    client_for("coordination").post(_url("survey", world, survey), data)
    assert survey.questions.count() == 2


@pytest.mark.parametrize("persona", ["centre", "accueil", "jour", "jette", "admin"])
def test_readers_who_do_not_manage_the_project_neither_create_nor_answer(world, client_for, survey, persona):
    client = client_for(persona)
    # A structure's staff creates surveys of her structure's open projects only (the centre's
    # coordinator); staff who manage none (accueil, jour) and the others, none.
    response = client.post(_url("surveys", world), {"code": "x", "title": "X", "project": survey.project.pk})
    assert response.status_code == (200 if persona == "centre" else 404)
    posted = {"date": "2026-03-01", "sex": "F", "q-utile": 4, "q-sur": 7}
    assert client.post(_url("survey_answer", world, survey), posted).status_code == 404
    assert not Survey.objects.filter(code="x").exists()
    assert not Response.objects.exists()


# --- Responses in the app ---------------------------------------------------------------------


def _day():
    import datetime

    return datetime.date(2026, 3, 1)


def _values(survey, utile, sur):
    return {survey.questions.get(code="utile"): utile, survey.questions.get(code="sur"): sur}


def test_a_response_entered_in_the_app_counts_once_even_sent_twice(world, client_for, survey):
    client = client_for("coordination")
    instance = f"uuid:{uuid.uuid4()}"
    posted = {"instance": instance, "date": "2026-03-01", "sex": "F", "q-utile": "5", "q-sur": "9"}
    assert client.post(_url("survey_answer", world, survey), posted).status_code == 302
    assert client.post(_url("survey_answer", world, survey), posted).status_code == 302  # a retry
    response = Response.objects.get()
    assert (
        response.instance == instance.removeprefix("uuid:")
        and response.sex == "F"
        and response.source == "app"
    )
    assert {a.question.code: a.value for a in response.answers.all()} == {"utile": 5, "sur": 9}


def test_each_app_response_gets_its_own_instance(world, client_for, survey):
    page = client_for("coordination").get(_url("survey_answer", world, survey)).content.decode()
    other = client_for("coordination").get(_url("survey_answer", world, survey)).content.decode()
    marker = 'name="instance" value="'
    first, second = (p.split(marker)[1].split('"')[0] for p in (page, other))
    assert first.startswith("uuid:") and first != second


def test_an_answer_outside_its_scale_is_refused(world, client_for, survey):
    posted = {"date": "2026-03-01", "sex": "F", "q-utile": "6", "q-sur": "11"}
    response = client_for("coordination").post(_url("survey_answer", world, survey), posted)
    assert response.status_code == 200
    assert "Une réponse entre 1 et 5." in response.content.decode()
    assert "Une réponse entre 0 et 10." in response.content.decode()
    assert not Response.objects.exists()
    with pytest.raises(ResponseRefused):
        record_response(survey, "uuid:x", date=_day(), sex="F", values=_values(survey, 0, 3))
    assert not Response.objects.exists()


# --- Results through the disclosure rule -----------------------------------------------------------


def test_results_show_favourable_answers_by_sex_and_hide_small_counts(world, client_for, survey):
    for i in range(6):
        record_response(survey, f"f{i}", date=_day(), sex="F", values=_values(survey, 5, 9))
    for i in range(7):
        record_response(survey, f"m{i}", date=_day(), sex="M", values=_values(survey, 4 if i < 5 else 2, 3))
    page = client_for("coordination").get(_url("survey", world, survey)).content.decode()
    utile = page.split("utile</span>")[1].split("</section>")[0]
    # utile: women 6 favourable of 6; men 5 favourable, 2 not: the 2 is hidden and something protects it.
    assert ">13<" in utile
    assert "&lt; 5" in utile
    assert ">2<" not in utile
    sur = page.split("sur</span>")[1].split("</section>")[0]
    assert ">6<" in sur and ">7<" in sur and ">13<" in sur  # 6 women favourable, 7 men not
    assert "5,8" in sur  # the mean of 6×9 and 7×3 is 75/13


def test_a_mean_of_a_handful_of_respondents_is_not_shown(world, client_for, survey):
    for i in range(3):
        record_response(survey, f"f{i}", date=_day(), sex="F", values=_values(survey, 5, 9))
    page = client_for("coordination").get(_url("survey", world, survey)).content.decode()
    utile = page.split("utile</span>")[1].split("</section>")[0]
    assert "Moyenne : —" in utile  # 3 answers of 5: a mean of 5,0 would tell each one
    assert ">3<" not in utile and "&lt; 5" in utile


# --- Import of a Kobo/ODK export -------------------------------------------------------------------


def test_the_same_export_imported_twice_counts_once(world, client_for, survey):
    group = TargetGroup.objects.first()
    rows = [
        ("uuid:aaa", "2026-02-01", "F", group.code, 5, 8),
        ("uuid:bbb", "2026-02-02", "M", "", 2, 3),
        ("uuid:ccc", "2026-02-03T10:00:00", "femme", "", 4, ""),
    ]
    client = client_for("coordination")
    first = client.post(_url("survey_import", world, survey), {"file": _csv(rows)}).content.decode()
    assert "3 réponses importées, 0 déjà importées" in first
    second = client.post(_url("survey_import", world, survey), {"file": _csv(rows)}).content.decode()
    assert "0 réponses importées, 3 déjà importées" in second
    assert Response.objects.count() == 3
    assert Response.objects.get(instance="aaa").target_group == group
    assert Answer.objects.filter(response__instance="ccc").count() == 1  # "sur" left unanswered
    assert set(Response.objects.values_list("source", flat=True)) == {"import"}


def test_one_form_in_two_exports_counts_once_whichever_id_column_names_it(world, client_for, survey):
    """Kobo's `_uuid` drops ODK's `uuid:` prefix, which `meta/instanceID` keeps: the same form."""
    client = client_for("coordination")
    headers = ("meta/instanceID", "date", "sexe", "public", "utile", "sur")
    first = client.post(
        _url("survey_import", world, survey),
        {"file": _csv([("uuid:ddd", "2026-02-01", "F", "", 5, 8)], headers)},
    ).content.decode()
    assert "1 réponses importées, 0 déjà importées" in first or "1 réponse importée" in first
    second = client.post(
        _url("survey_import", world, survey), {"file": _csv([("ddd", "2026-02-01", "F", "", 5, 8)])}
    ).content.decode()
    assert "0 réponses importées, 1 déjà importées" in second or "1 déjà importée" in second
    assert list(Response.objects.values_list("instance", flat=True)) == ["ddd"]


def test_an_export_with_a_wrong_row_writes_nothing_and_names_each_row(world, client_for, survey):
    rows = [
        ("uuid:aaa", "2026-02-01", "F", "", 5, 8),
        ("uuid:bbb", "hier", "F", "", 5, 8),
        ("uuid:ccc", "2026-02-01", "X", "inconnu", 9, 8),
        ("uuid:aaa", "2026-02-01", "F", "", 5, 8),
    ]
    response = client_for("coordination").post(_url("survey_import", world, survey), {"file": _csv(rows)})
    page = response.content.decode()
    assert "Rien n'a été importé" in html.unescape(page)
    assert "Ligne 3" in page and "Date illisible" in page
    assert "Ligne 4" in page and "Sexe" in page and "inconnu" in page and "entre 1 et 5" in page
    assert "Ligne 5" in page and "Même formulaire que la ligne 2" in page
    assert not Response.objects.exists()


def test_an_export_missing_a_question_column_is_refused(world, client_for, survey):
    file = _csv([("uuid:aaa", "2026-02-01", "F", 5)], headers=("_uuid", "date", "sexe", "utile"))
    page = (
        client_for("coordination").post(_url("survey_import", world, survey), {"file": file}).content.decode()
    )
    assert "Colonnes manquantes : sur" in page
    assert not Response.objects.exists()


def test_an_xlsx_export_with_groups_and_instance_id_is_read(world, survey):
    import datetime

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["meta/instanceID", "groupe/today", "groupe/sexe", "groupe/utile", "groupe/sur"])
    sheet.append(["uuid:x1", "2026-01-10", "M", 5, 7])
    sheet.append(["uuid:x2", datetime.datetime(2026, 1, 11, 9, 30), "F", 3, 10])  # a date cell
    data = io.BytesIO()
    book.save(data)
    report = import_answers(survey, data.getvalue(), "export.xlsx")
    assert (report.created, report.skipped, report.problems) == (2, 0, [])
    favourable = Answer.objects.filter(question__code="utile", value__gte=4)
    assert list(favourable.values_list("response__instance", "response__sex")) == [("x1", "M")]
    assert Response.objects.get(instance="x2").date == datetime.date(2026, 1, 11)
    report = import_answers(survey, data.getvalue(), "export.xlsx")
    assert (report.created, report.skipped) == (0, 2)


def test_an_unreadable_file_is_refused_in_french(world, client_for, survey):
    file = SimpleUploadedFile("export.xlsx", b"not a zip at all")
    page = (
        client_for("coordination").post(_url("survey_import", world, survey), {"file": file}).content.decode()
    )
    assert "illisible" in page
    assert not Response.objects.exists()


# --- Indicators of source `survey` ---------------------------------------------------------------


def _survey_indicator(world, reference="terrain/utile", **fields):
    from programme.models import Indicator, Result

    result = Result.objects.filter(partnership=world["partnership"]).first()
    return Indicator.objects.create(
        result=result,
        code="E.1",
        name="Jeunes satisfaits du terrain",
        period=Indicator.Period.ANNUAL,
        source=Indicator.Source.SURVEY,
        survey_question=reference,
        **fields,
    )


def test_a_survey_indicator_counts_favourable_answers_by_year_and_sex(world, survey):
    import datetime

    from django.db.models import Count

    from indicators import engine
    from programme.models import cumulative

    partnership = world["partnership"]
    indicator = _survey_indicator(world)
    answers = [  # (day, sex, utile): favourable from 4
        (datetime.date(2024, 5, 1), "F", 5),
        (datetime.date(2024, 6, 1), "F", 4),
        (datetime.date(2024, 6, 2), "F", 3),
        (datetime.date(2025, 1, 9), "M", 4),
        (datetime.date(2025, 2, 9), "F", 1),
    ]
    for i, (day, sex, value) in enumerate(answers):
        record_response(survey, f"uuid:{i}", date=day, sex=sex, values=_values(survey, value, 0))
    values = {(p, s): v for (i, p, s), v in engine.values_of(partnership).items() if i == indicator.pk}
    direct = (
        Answer.objects.filter(question__code="utile", question__survey=survey, value__gte=4)
        .values_list("response__date__year", "response__sex")
        .annotate(n=Count("pk"))
    )
    for year, sex, n in direct:
        assert values[(year, sex)] == n
    assert values[(2024, "F")] == 2 and values[(2025, "M")] == 1 and (2025, "F") not in values
    assert values[(cumulative(2025), "F")] == 2 and values[(cumulative(2025), "M")] == 1


def test_a_survey_indicator_counts_an_export_imported_twice_once(world, survey, client_for):
    from indicators import engine

    indicator = _survey_indicator(world)
    rows = [("uuid:a", "2025-02-01", "F", "", 5, 8), ("uuid:b", "2025-02-02", "F", "", 4, 3)]
    client = client_for("coordination")
    for _time in range(2):
        client.post(_url("survey_import", world, survey), {"file": _csv(rows)})
    values = engine.values_of(world["partnership"])
    assert values[(indicator.pk, 2025, "F")] == 2


def test_the_dashboard_shows_a_survey_indicator(world, survey, client_for):
    indicator = _survey_indicator(world)
    for i in range(6):
        record_response(survey, f"uuid:{i}", date=_day(), sex="F", values=_values(survey, 5, 0))
    page = client_for("coordination").get(
        reverse("indicators:dashboard", kwargs={"slug": world["partnership"].slug}) + "?annee=2026"
    )
    assert page.status_code == 200
    assert indicator.name in page.content.decode()


@pytest.mark.parametrize(
    ("reference", "source", "message"),
    [
        ("terrain/inconnue", "survey", "Aucune question « terrain/inconnue »"),
        ("", "survey", "Aucune question"),
        ("terrain/utile", "people", "laissez ce champ vide"),
    ],
)
def test_the_indicator_form_checks_the_survey_question(world, survey, reference, source, message):
    from programme.forms import IndicatorForm
    from programme.models import Indicator, Result

    partnership = world["partnership"]
    result = Result.objects.filter(partnership=partnership).first()
    data = {
        "result": result.pk,
        "code": "E.9",
        "name": "Satisfaits",
        "unit": "personnes",
        "period": "annual",
        "by_sex": "on",
        "source": source,
        "survey_question": reference,
    }
    form = IndicatorForm(data, instance=Indicator(result=result), partnership=partnership)
    assert not form.is_valid()
    assert message in " ".join(form.errors.get("survey_question", []))
    good = IndicatorForm(
        {**data, "source": "survey", "survey_question": "terrain/utile"},
        instance=Indicator(result=result),
        partnership=partnership,
    )
    assert good.is_valid(), good.errors


def test_the_number_of_responses_gives_no_hidden_count_away(world, client_for, survey):
    for i in range(3):  # three women: the total would give the hidden women's count
        record_response(survey, f"f{i}", date=_day(), sex="F", values=_values(survey, 5, 9))
    for page in (_url("survey", world, survey), _url("surveys", world)):
        text = client_for("coordination").get(page).content.decode()
        assert ">3<" not in text and "&lt; 5" in text
    for i in range(6):  # 9 responses, shown; the men's 0 is shown, so the women's 9 is too
        record_response(survey, f"g{i}", date=_day(), sex="F", values=_values(survey, 5, 9))
    record_response(survey, "m0", date=_day(), sex="M", values=_values(survey, 5, 9))
    text = client_for("coordination").get(_url("survey", world, survey)).content.decode()
    assert '<span class="num">10</span>' in text  # the responses
    utile = text.split("utile</span>")[1].split("</section>")[0]
    assert ">1<" not in utile and ">9<" not in utile  # the one man, and the women's 9 that gives it


# --- What the review found -------------------------------------------------------------------------


def test_a_mean_gives_no_hidden_count_away(world, client_for, survey):
    """0–1 scale, 7 respondents, 2 favourable: the favourable total is hidden, so the mean (2/7) too."""
    binary = Question.objects.create(survey=survey, code="oui", text="Oui ?", low=0, high=1, favourable=1)
    sur = survey.questions.get(code="sur")
    for i in range(7):
        record_response(
            survey,
            f"r{i}",
            date=_day(),
            sex="F",
            values={binary: int(i < 2), sur: 8, survey.questions.get(code="utile"): 4},
        )
    page = client_for("jette").get(_url("survey", world, survey)).content.decode()
    oui = page.split("oui</span>")[1].split("</section>")[0]
    assert "&lt; 5" in oui
    assert "Moyenne : —" in oui and "0,3" not in oui
    sur_part = page.split("sur</span>")[1].split("</section>")[0]
    assert "8,0" in sur_part  # a table with nothing hidden keeps its mean


@pytest.mark.parametrize("value", ["²", "٣", "1" * 5000, "-1", "3.5"])
def test_an_import_refuses_a_number_that_is_not_latin_digits(world, client_for, survey, value):
    rows = [("uuid:aaa", "2026-02-01", "F", "", value, 8)]
    response = client_for("coordination").post(_url("survey_import", world, survey), {"file": _csv(rows)})
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Ligne 2" in page and "« utile » :" in page and "n'est pas un nombre entre 1 et 5" in page
    assert not Response.objects.exists()


def test_a_large_import_writes_every_row_once(world, survey):
    lines = ["_uuid,date,sexe,utile,sur"] + [f"uuid:{i:05d},2026-02-01,F,4,{i % 11}" for i in range(1200)]
    data = "\n".join(lines).encode()
    record_response(survey, "00007", date=_day(), sex="M", values=_values(survey, 1, 1))
    report = import_answers(survey, io.BytesIO(data), "export.csv")
    assert (report.created, report.skipped, report.problem_count) == (1199, 1, 0)
    assert Response.objects.count() == 1200 and Answer.objects.count() == 2400
    assert Response.objects.get(instance="00007").sex == "M"  # the one already there is kept
    assert Answer.objects.get(response__instance="00012", question__code="sur").value == 1
    again = import_answers(survey, io.BytesIO(data), "export.csv")
    assert (again.created, again.skipped) == (0, 1200)


def test_an_import_that_collides_with_another_one_skips_what_is_now_there(world, survey, monkeypatch):
    """A concurrent import of the same file inserts first: the bulk insert collides, then skips."""
    from projects import surveys

    real = surveys._present
    calls = []

    def late(survey_, instances):
        calls.append(1)
        # The other import committed "bbb" just after our check: the first check misses it.
        return set() if len(calls) == 1 else real(survey_, instances)

    record_response(survey, "bbb", date=_day(), sex="F", values=_values(survey, 5, 5))

    monkeypatch.setattr(surveys, "_present", late)
    data = b"_uuid,date,sexe,utile,sur\naaa,2026-02-01,F,4,4\nbbb,2026-02-01,M,2,2\n"
    report = import_answers(survey, io.BytesIO(data), "export.csv")
    assert Response.objects.get(instance="bbb").sex == "F"
    assert (report.created, report.skipped) == (1, 1) and len(calls) == 2
    assert Response.objects.count() == 2 and Answer.objects.filter(response__instance="aaa").count() == 2


def test_a_response_before_the_partnership_s_start_is_refused(world, client_for, survey):
    first = world["partnership"].start_year
    posted = {"date": f"{first - 1}-12-31", "sex": "F", "q-utile": "4", "q-sur": "7"}
    response = client_for("coordination").post(_url("survey_answer", world, survey), posted)
    assert "ne peut pas précéder le début du partenariat" in html.unescape(response.content.decode())
    import datetime

    with pytest.raises(ResponseRefused):
        record_response(
            survey, "x", date=datetime.date(first - 1, 6, 1), sex="F", values=_values(survey, 4, 7)
        )
    rows = [("uuid:aaa", f"{first - 1}-06-01", "F", "", 4, 7)]
    page = client_for("coordination").post(_url("survey_import", world, survey), {"file": _csv(rows)})
    text = html.unescape(page.content.decode())
    assert "Ligne 2" in text and "ne peut pas précéder le début du partenariat" in text
    assert not Response.objects.exists()


def test_a_response_sent_again_says_nothing_changed(world, client_for, survey):
    client = client_for("coordination")
    posted = {"instance": "uuid:again", "date": "2026-03-01", "sex": "F", "q-utile": "5", "q-sur": "9"}
    first = client.post(_url("survey_answer", world, survey), posted, follow=True).content.decode()
    assert "Réponse enregistrée" in first
    second = html.unescape(
        client.post(_url("survey_answer", world, survey), posted, follow=True).content.decode()
    )
    assert "Cette réponse était déjà enregistrée : rien n'a changé." in second
    assert "Réponse enregistrée" not in second


def test_an_import_row_with_no_answer_is_refused(world, client_for, survey):
    rows = [("uuid:aaa", "2026-02-01", "F", "", 4, 7), ("uuid:bbb", "2026-02-01", "F", "", "", "")]
    page = client_for("coordination").post(_url("survey_import", world, survey), {"file": _csv(rows)})
    text = html.unescape(page.content.decode())
    assert "Ligne 3" in text and "Aucune réponse aux questions" in text
    assert not Response.objects.exists()


@pytest.mark.parametrize("code", ["Utile", "UTILE", "date", "Sexe", "public", "_uuid", "instanceid", "today"])
def test_a_question_code_is_unique_whatever_its_case_and_not_an_import_column(
    world, client_for, survey, code
):
    data = {"code": code, "text": "Q ?", "low": 1, "high": 5, "favourable": 4}
    response = client_for("coordination").post(_url("survey", world, survey), data)
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert "porte déjà ce code" in text or "le nom d'une colonne que l'import lit" in text
    assert survey.questions.count() == 2


def test_a_survey_code_is_unique_whatever_its_case(world, client_for, survey):
    posted = {"code": "TERRAIN", "title": "Autre", "project": survey.project.pk}
    response = client_for("coordination").post(_url("surveys", world), posted)
    assert "porte déjà ce code" in html.unescape(response.content.decode())
    assert Survey.objects.count() == 1


@pytest.mark.parametrize("persona", ["accueil", "jour"])
def test_staff_managing_no_project_sees_no_new_survey_form(world, client_for, persona):
    page = client_for(persona).get(_url("surveys", world)).content.decode()
    assert "Nouvelle enquête" not in page
    assert "Nouvelle enquête" in client_for("coordination").get(_url("surveys", world)).content.decode()
