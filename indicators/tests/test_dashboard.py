import datetime

import pytest
from django.urls import reverse

from accounts.models import ApiToken
from activities import actions as activity_actions
from activities.models import Activity
from people import actions as people_actions
from people.models import TargetGroup
from programme.models import Indicator


def dashboard(client, partnership, year=2025):
    return client.get(reverse("indicators:dashboard", kwargs={"slug": partnership.slug}) + f"?annee={year}")


def test_demo_dashboard_shows_outcome_indicators_against_the_roadmap_targets(
    client_for, partnership, demo_activity
):
    html = dashboard(client_for("coordination"), partnership).content.decode()
    for code in ["OC.1", "OC.2", "OC.3", "R2.1", "R2.2", "R3.1", "R4.1"]:
        assert f'id="dash-indicator-{code}"' in html
    assert "/ 43" in html and "/ 51" in html and "/ 6" in html and "/ 46" in html
    assert '<svg class="chart"' in html and "<progress" in html


def test_dashboard_query_count_does_not_grow_with_data(
    client_for, partnership, demo_activity, django_assert_max_num_queries
):
    client = client_for("jette")
    with django_assert_max_num_queries(25) as before:
        dashboard(client, partnership)
    youth = TargetGroup.objects.get(code="jeunes-handicap")
    activity = activity_actions.create_activity(
        Activity(partnership=partnership, kind="atelier", title="x", date=datetime.date(2025, 3, 3))
    )
    people = [
        people_actions.register_person(partnership, sex="F", birth_year=2005, target_groups=[youth])
        for _ in range(30)
    ]
    activity_actions.record_attendance(activity, people)
    with django_assert_max_num_queries(len(before.captured_queries)):
        dashboard(client, partnership)


def small_world(partnership, women, year=2025):
    """Replace OC.2's demo data by `women` young women attending one workshop."""
    from indicators import engine

    youth = TargetGroup.objects.get(code="jeunes-handicap")
    Activity.objects.filter(partnership=partnership).delete()
    engine.rebuild(partnership)
    activity = activity_actions.create_activity(
        Activity(partnership=partnership, kind="atelier", title="x", date=datetime.date(year, 3, 3))
    )
    people = [
        people_actions.register_person(partnership, sex="F", birth_year=2005, target_groups=[youth])
        for _ in range(women)
    ]
    activity_actions.record_attendance(activity, people)


@pytest.mark.parametrize("persona, suppressed", [("coordination", False), ("jette", True), ("reseau", True)])
def test_small_cells_are_hidden_outside_the_holding_service(
    client_for, users, partnership, persona, suppressed
):
    small_world(partnership, 3)
    token = ApiToken.issue(users[persona])
    answer = (
        client_for("anonymous")
        .get(
            f"/api/v1/partnerships/{partnership.slug}/indicators?year=2025",
            headers={"Authorization": f"Bearer {token}"},
        )
        .json()
    )
    oc2 = next(i for i in answer if i["code"] == "OC.2")
    women = next(v for v in oc2["values"] if v["sex"] == "F")
    assert women["period"] == "2025" and women["target"] == 43
    if suppressed:
        assert women == {"period": "2025", "sex": "F", "target": 43, "actual": None, "suppressed": True}
        total = next(v for v in oc2["values"] if v["sex"] == "total")
        assert total["suppressed"] and total["actual"] is None  # 3 women, 0 men: the total is small too
        html = dashboard(client_for(persona), partnership).content.decode()
        assert "&lt; 5" in html
    else:
        assert women["actual"] == 3 and not women["suppressed"]


def test_api_answers_exactly_as_the_contract_says(client, users, partnership):
    token = ApiToken.issue(users["coordination"])
    response = client.get(
        f"/api/v1/partnerships/{partnership.slug}/indicators?year=2024",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    body = response.json()
    assert [i["code"] for i in body[:3]] == ["OC.1", "OC.2", "OC.3"]
    for item in body:
        assert set(item) == {"code", "name", "names", "period", "values"}
        for v in item["values"]:
            assert set(v) == {"period", "sex", "target", "actual", "suppressed"}
            assert v["sex"] in {"F", "M", "X", "total"}
            assert not (v["suppressed"] and v["actual"] is not None)
        # The total is the sum of the sexes shown (issue 12: OC.1's total was 0 beside 72 women).
        for period in {v["period"] for v in item["values"]}:
            cells = {v["sex"]: v["actual"] for v in item["values"] if v["period"] == period}
            if len(cells) > 1:
                assert cells["total"] == sum(n for sex, n in cells.items() if sex != "total")
    oc1 = body[0]
    # A cumulative indicator asked for 2024 counts from the programme's start to 31 December 2024.
    assert oc1["period"] == "cumulative" and oc1["values"][0]["period"] == "2022-2024"
    assert {v["sex"] for v in oc1["values"]} == {"F", "total"}
    assert {v["sex"]: v["target"] for v in oc1["values"]} == {"F": 150, "total": 150}
    oc3 = body[2]
    assert oc3["period"] == "annual" and {v["period"] for v in oc3["values"]} == {"2024"}
    assert {v["sex"]: v["target"] for v in oc3["values"]} == {"F": 6, "M": 46, "total": 52}


@pytest.mark.parametrize("query", ["year=1999", "year=abc", "year=2031"])
def test_api_refuses_a_bad_year_with_a_clear_4xx(client, users, partnership, query):
    token = ApiToken.issue(users["coordination"])
    response = client.get(
        f"/api/v1/partnerships/{partnership.slug}/indicators?{query}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert 400 <= response.status_code < 500


def test_api_hides_other_partnerships(client, users, world):
    token = ApiToken.issue(users["autre_coordination"])
    response = client.get(
        f"/api/v1/partnerships/{world['partnership'].slug}/indicators",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 404


def test_network_view_matches_each_partnership_dashboard(client_for, users, partnership, demo_activity):
    from indicators import figures
    from partnerships.access import access_for

    html = (
        client_for("reseau")
        .get(reverse("network:detail", kwargs={"network_slug": "brulocalis"}) + "?annee=2025")
        .content.decode()
    )
    assert partnership.name in html
    tables = {
        t.indicator.code: t
        for b in figures.partnership_tables(partnership, access_for(users["reseau"], partnership))
        for t in b["tables"]
    }
    row = tables["OC.2"].row(2025)
    section = html[html.index("OC.2") :][:600]
    for cell in row:
        assert f">{cell.shown}<" in section.replace('<span class="target">', "<")


def test_coordinator_edits_a_definition_and_bad_input_is_refused(client_for, partnership):
    client = client_for("coordination")
    url = reverse("indicators:indicator_edit", kwargs={"slug": partnership.slug, "code": "OC.3"})
    oc3 = Indicator.objects.get(result__partnership=partnership, code="OC.3")
    response = client.post(
        url,
        {
            "result": oc3.result_id,
            "code": "OC.2",
            "name": "x",
            "unit": "personnes",
            "period": "annual",
            "source": "people",
        },
    )
    assert response.status_code == 200 and "porte déjà ce code" in response.content.decode()
    oc3.refresh_from_db()
    assert oc3.name.startswith("Migrants")


def test_youth_forum_participations_feed_an_indicator(client, users, partnership):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from participation import stats

    expected = stats.participations(partnership, year=2024)
    assert sum(expected.values()) > 0  # the demo's 2024 forum
    token = ApiToken.issue(users["coordination"])
    url = f"/api/v1/partnerships/{partnership.slug}/indicators"
    client.get(url, headers={"Authorization": f"Bearer {token}"})  # a token's first use is recorded once
    with CaptureQueriesContext(connection) as queries:
        body = client.get(
            f"/api/v1/partnerships/{partnership.slug}/indicators?year=2024",
            headers={"Authorization": f"Bearer {token}"},
        ).json()
    assert len(queries.captured_queries) <= 11  # 11th: the activities planned after today (engine.values_of)
    r32 = {v["sex"]: v["actual"] for v in next(i for i in body if i["code"] == "R3.2")["values"]}
    assert r32 == {"F": expected["F"], "M": expected["M"], "total": sum(expected.values())}


def test_the_programme_row_is_named_as_on_the_portal_and_the_annual_report(
    client_for, partnership, demo_activity
):
    html = dashboard(client_for("coordination"), partnership).content.decode()
    assert '<th scope="row">Cumul 2022–2025</th>' in html  # it said "2022–2025", the others "Cumul 2022–2025"
