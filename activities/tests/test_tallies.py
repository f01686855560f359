"""Counting people who are not registered (issue 14, "Counting fast"): the tally table takes numbers,
saves every row in one submit, says what it saved, and never counts twice."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import actions
from activities.models import Activity, Tally
from indicators import engine
from indicators.models import ActivityTotal

HTMX = {"HX-Request": "true"}


@pytest.fixture
def campaign(partnership):
    return actions.create_activity(
        Activity(
            partnership=partnership,
            structure=partnership.structures.get(code="centre-jour"),
            kind="campagne",
            title="Campagne dans une ferme",
            date=datetime.date(2025, 5, 6),
        )
    )


def _url(activity):
    return reverse("activities:tally", kwargs={"slug": activity.partnership.slug, "pk": activity.pk})


def _table(**numbers):
    """The form as the page posts it, every row read at 0 (`F_x` stands for the row `F-x`)."""
    data = {"n-F": "0", "was-F": "0", "n-M": "0", "was-M": "0", "n-X": "0", "was-X": "0", "new-sex": "F"}
    data.update({f"n-{k}": str(v) for k, v in numbers.items()})
    return data


def _tallies(activity):
    rows = Tally.objects.filter(activity=activity).values_list("sex", "target_group__code", "count")
    return sorted(rows, key=lambda row: (row[0], row[1] or ""))


def _totals(activity):
    """The participants (F, M, X) of the activity's year and kind in the engine's ActivityTotal, less
    the demo's: what this activity adds."""
    rows = ActivityTotal.objects.filter(partnership=activity.partnership, year=activity.date.year)
    rows = rows.filter(kind=activity.kind).values_list("f", "m", "x")
    demo = Tally.objects.filter(activity__partnership=activity.partnership, activity__kind=activity.kind)
    demo = demo.filter(date__year=activity.date.year).exclude(activity=activity)
    return [
        sum(row[i] for row in rows) - sum(demo.filter(sex=sex).values_list("count", flat=True))
        for i, sex in enumerate("FMX")
    ]


def test_several_rows_are_saved_at_once_and_the_page_says_what(campaign, client_for):
    client = client_for("jour")
    data = {**_table(F=28, M=4), "new-sex": "F", "new-group": "ouvrieres-agricoles", "new-n": "12"}
    response = client.post(_url(campaign), data, follow=True)
    assert response.redirect_chain[-1][0].endswith(f"/activites/{campaign.pk}/presences/")
    assert _tallies(campaign) == [("F", None, 28), ("F", "ouvrieres-agricoles", 12), ("M", None, 4)]
    page = response.content.decode()
    assert "Comptages enregistrés" in page and "femmes : 28" in page and "hommes : 4" in page
    assert "ouvrières agricoles : 12" in page
    # The new public is now a row of the table, read at 12.
    assert 'name="was-F-ouvrieres-agricoles" value="12"' in page


def test_a_retried_or_double_submit_counts_once(campaign, client_for):
    client = client_for("jour")
    data = {**_table(F=28, X=3), "new-sex": "M", "new-group": "migrants", "new-n": "5"}
    first = client.post(_url(campaign), data, headers=HTMX)
    assert first.status_code == 200 and 'data-changed="3"' in first.content.decode()
    totals = _totals(campaign)
    values = engine.values_of(campaign.partnership)
    # A double click, a resend after a lost answer, the browser's "resubmit": the same form again.
    for _ in range(2):
        again = client.post(_url(campaign), data, headers=HTMX)
        assert again.status_code == 200 and 'data-changed="0"' in again.content.decode()
        assert "déjà enregistrés" in again.content.decode()
    assert client.post(_url(campaign), data).status_code == 302  # without htmx too
    assert _tallies(campaign) == [("F", None, 28), ("M", "migrants", 5), ("X", None, 3)]
    assert _totals(campaign) == totals == [28, 5, 3]
    assert engine.values_of(campaign.partnership) == values


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-3", "ne peut pas être négatif"),
        ("1000000000", "Vérifiez ce nombre"),
        ("12abc", "nombre entier"),
        ("", "Indiquez un nombre"),
    ],
)
def test_a_bad_number_is_refused_beside_its_field_and_nothing_changes(campaign, client_for, typed, message):
    actions.set_tally(campaign, "M", None, 7)
    client = client_for("jour")
    data = {**_table(F=10), "n-M": typed, "was-M": "7"}
    response = client.post(_url(campaign), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Rien n'a été enregistré" in page
    # The French error sits beside the field (described by it), what was typed elsewhere is kept.
    assert message in page.split('id="id_n-M_error">')[1].split("</p>")[0]
    assert 'aria-describedby="id_n-M_error"' in page and 'value="10"' in page
    assert _tallies(campaign) == [("M", None, 7)]
    assert _totals(campaign) == [0, 7, 0]


def test_a_new_row_needs_its_public_and_cannot_repeat_a_row(campaign, client_for):
    client = client_for("jour")
    no_group = client.post(_url(campaign), {**_table(F=3), "new-n": "4"}, headers=HTMX)
    assert "Choisissez le public cible" in no_group.content.decode()
    actions.set_tallies(campaign, {("F", _group("migrants")): 2})
    data = {**_table(F=3), "n-F-migrants": "2", "was-F-migrants": "2", "new-group": "migrants", "new-n": "4"}
    twice = client.post(_url(campaign), data, headers=HTMX)
    assert "déjà dans le tableau" in twice.content.decode()
    assert _tallies(campaign) == [("F", "migrants", 2)]


def _group(code):
    from people.models import TargetGroup

    return TargetGroup.objects.get(code=code)


def test_nothing_is_counted_before_the_activity_date(campaign, client_for):
    campaign.date = timezone.localdate() + datetime.timedelta(days=2)
    campaign.save()
    response = client_for("jour").post(_url(campaign), _table(F=10), follow=True)
    assert response.redirect_chain[-1][0].endswith(f"/activites/{campaign.pk}/")
    assert "à partir de ce jour-là" in response.content.decode()
    assert _tallies(campaign) == []


def test_someone_else_changing_a_row_meanwhile_is_shown_and_her_number_kept(campaign, client_for):
    jour, coordination = client_for("jour"), client_for("coordination")
    assert coordination.post(_url(campaign), _table(F=10)).status_code == 302
    # She read the table at 0 and counted 8 women and 2 men: the women's row changed meanwhile.
    stale = jour.post(_url(campaign), _table(F=8, M=2))
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "a enregistré 10 ici" in page and 'value="8"' in page
    assert _tallies(campaign) == [("F", None, 10)]  # nothing written, not even the men
    # Saving the kept form again replaces the number, knowingly.
    form = stale.context["tally_form"]
    assert form.data["was-F"] == "10"
    assert jour.post(_url(campaign), form.data.dict()).status_code == 302
    assert _tallies(campaign) == [("F", None, 8), ("M", None, 2)]
    assert _totals(campaign) == [8, 2, 0]
    # A row she left as it was is not written over: someone sets X while she types only M.
    actions.set_tally(campaign, "X", None, 6)
    assert jour.post(_url(campaign), {**_table(F=8, M=3), "was-F": "8", "was-M": "2"}).status_code == 302
    assert _tallies(campaign) == [("F", None, 8), ("M", None, 3), ("X", None, 6)]


def test_only_the_activity_writers_count(campaign, client_for):
    for name in ["jette", "centre", "reseau"]:
        assert client_for(name).post(_url(campaign), _table(F=10)).status_code == 404
    assert _tallies(campaign) == []


def test_indicator_totals_after_a_bulk_save_equal_a_rebuild(campaign, client_for, partnership):
    data = {**_table(F=28, M=4, X=2), "new-sex": "F", "new-group": "ouvrieres-agricoles", "new-n": "12"}
    client_for("jour").post(_url(campaign), data)
    read = {"was-F": "28", "was-M": "4", "was-X": "2", "was-F-ouvrieres-agricoles": "12"}
    changed = {**data, **read, "n-F": "20", "n-X": "0", "n-F-ouvrieres-agricoles": "12", "new-n": ""}
    assert client_for("jour").post(_url(campaign), changed).status_code == 302
    kept = engine.values_of(partnership), list(ActivityTotal.objects.order_by("pk").values())
    assert _totals(campaign) == [32, 4, 0]  # F 20 + 12, M 4, X 0
    engine.rebuild(partnership)
    assert engine.values_of(partnership) == kept[0]
    rebuilt = {(r["year"], r["result_id"], r["kind"]): r for r in ActivityTotal.objects.values()}
    assert all(
        (r["activities"], r["f"], r["m"], r["x"])
        == tuple(rebuilt[(r["year"], r["result_id"], r["kind"])][k] for k in ("activities", "f", "m", "x"))
        for r in kept[1]
    )


def test_the_page_offers_numbers_with_big_helpers(campaign, client_for):
    page = client_for("jour").get(
        reverse("activities:attendance", kwargs={"slug": campaign.partnership.slug, "pk": campaign.pk})
    )
    html = page.content.decode()
    assert 'type="number" name="n-F"' in html and 'min="0"' in html and 'inputmode="numeric"' in html
    assert 'data-step="1"' in html and "js/tallies.js" in html
    assert html.count("<form") - html.count('class="tally-table"') >= 1  # one form for the whole table
    assert html.count("Enregistrer les comptages") == 1


@pytest.mark.parametrize(
    ("language", "saved", "refused"),
    [
        ("en", "Counts saved", "cannot be negative"),
        ("nl", "Tellingen opgeslagen", "kan niet negatief zijn"),
        ("ar", "تم حفظ الأعداد", "لا يمكن أن يكون عدد الأشخاص سالبًا"),
    ],
)
def test_the_confirmation_and_the_errors_speak_her_language(
    campaign, client_for, settings, language, saved, refused
):
    client = client_for("jour")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    assert saved in client.post(_url(campaign), _table(F=3), headers=HTMX).content.decode()
    assert refused in client.post(_url(campaign), _table(F=-1), headers=HTMX).content.decode()
    assert _tallies(campaign) == [("F", None, 3)]
