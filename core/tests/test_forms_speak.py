"""Forms that speak (issue 14): an unanswered question is recorded as "non renseigné", never as a
guess; each error is printed in plain words beside its own field, nothing is saved, never a 500."""

import lxml.html
import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from activities.models import Activity, Visit
from cases.models import Case
from participation import stats
from participation.models import Forum, Proposal


def field_box(response, name):
    """The `.field` box holding the input called `name`, as text."""
    page = lxml.html.fromstring(response.content.decode())
    boxes = page.xpath(f'//*[contains(concat(" ", @class, " "), " field ")][.//*[@name="{name}"]]')
    assert len(boxes) == 1, f"no single box for {name}"
    return boxes[0].text_content()


def test_negative_hours_are_refused_beside_the_hours_field(partnership, client_for):
    url = reverse("activities:create", kwargs={"slug": partnership.slug})
    before = Activity.objects.count()
    data = {"kind": "formation", "title": "Formation d'écoute", "date": "2025-03-03", "hours": "-3"}
    response = client_for("coordination").post(url, data)
    assert response.status_code == 200 and Activity.objects.count() == before
    assert "supérieure ou égale à 0" in field_box(response, "hours")
    assert "activity_hours_not_negative" not in response.content.decode()
    assert 'min="0"' in client_for("coordination").get(url).content.decode()


def test_an_unknown_person_code_is_said_under_the_code_field(partnership, client_for):
    office = partnership.structures.get(code="bureau-migrants")
    url = reverse("activities:visits", kwargs={"slug": partnership.slug})
    before = Visit.objects.count()
    data = {"structure": office.pk, "date": "2025-02-03", "reason": "Séjour", "orientation": "juridique"}
    response = client_for("accueil").post(url, {**data, "person_code": "BLF-99999"})
    assert response.status_code == 200 and Visit.objects.count() == before
    assert "Aucune personne de ce code" in field_box(response, "person_code")
    assert "Aucune personne de ce code" not in field_box(response, "referred_to")


def test_an_anonymous_visitor_who_does_not_say_is_not_recorded_with_a_sex(partnership, client_for):
    url = reverse("activities:visits", kwargs={"slug": partnership.slug})
    page = lxml.html.fromstring(client_for("accueil").get(url).content.decode())
    assert page.xpath('//select[@name="sex"]/option[@selected]/@value') == ["X"]


def test_an_empty_login_says_which_fields_are_missing(client, db):
    response = client.post(reverse("accounts:login"), {"username": "", "password": ""})
    assert response.status_code == 200
    page = lxml.html.fromstring(response.content.decode())
    for name in ("username", "password"):
        assert page.xpath(f'//input[@name="{name}"]/@aria-invalid') == ["true"]
        assert page.xpath(f'//*[@id="id_{name}_error"]/text()') == ["Ce champ est obligatoire."]


def test_five_megabytes_of_text_get_a_page_in_the_layout_and_the_users_language(partnership, client_for):
    url = reverse("activities:create", kwargs={"slug": partnership.slug})
    client = client_for("coordination")
    before = Activity.objects.count()
    data = {"kind": "formation", "title": "Formation", "date": "2025-03-03", "topics": "x" * 5_000_000}
    response = client.post(url, data)
    assert response.status_code == 400 and Activity.objects.count() == before
    text = response.content.decode()
    assert "trop long" in text and "Rien n'a été enregistré" in text and 'class="top"' in text
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "too long" in client.post(url, data).content.decode()


def test_the_incident_form_offers_no_empty_type(partnership, client_for, users):
    case = Case.objects.filter(assigned_to=users["ecoute"], anonymised_on__isnull=True).first()
    url = reverse("cases:case_add", kwargs={"slug": partnership.slug, "code": case.code, "kind": "incident"})
    response = client_for("ecoute").get(url)
    page = lxml.html.fromstring(response.content.decode())
    assert page.xpath('//input[@name="type"]') and not page.xpath('//input[@name="type" and @value=""]')
    assert "---------" not in field_box(response, "type")
    refused = client_for("ecoute").post(url, {"context": "famille", "month_of": "2025-01"})
    assert refused.status_code == 200 and "obligatoire" in field_box(refused, "type")


def test_the_intake_preselects_age_band_unknown(partnership, client_for):
    page = client_for("ecoute").get(reverse("cases:intake", kwargs={"slug": partnership.slug}))
    options = lxml.html.fromstring(page.content.decode()).xpath('//select[@name="age_band"]/option')
    assert [o.get("value") for o in options if o.get("selected") is not None] == ["nr"]
    assert "" not in [o.get("value") for o in options]
    assert Case._meta.get_field("age_band").default == "nr"


@pytest.fixture
def open_forum(partnership):
    cache.clear()  # the proposals' rate limit lives in the cache table
    forum = Forum.objects.create(
        partnership=partnership, slug="forum-g", title="Forum", date="2024-05-01", place="Belfaa"
    )
    yield forum
    cache.clear()


def test_a_proposer_who_skips_sex_and_age_is_not_counted_as_a_girl_under_18(partnership, client, open_forum):
    url = reverse("forums:propose", kwargs={"slug": partnership.slug, "pk": open_forum.pk})
    page = lxml.html.fromstring(client.get(url).content.decode())
    assert page.xpath('//select[@name="sex"]/option[@selected]/@value') == ["X"]
    assert page.xpath('//select[@name="age_band"]/option[@selected]/@value') == ["nr"]
    before = stats.participations(partnership, 2024)
    young_before = stats.participations_by_age_band(partnership, 2024)["moins-18"]
    data = {"title": "Terrain", "description": "Un terrain.", "category": "sport", "estimated_cost": "900"}
    assert client.post(url, data).status_code == 200  # nothing chosen: not even the page's defaults
    assert client.post(url, {**data, "sex": "X", "age_band": "nr"}).status_code == 200  # the defaults
    assert list(Proposal.objects.filter(forum=open_forum).values_list("sex", "age_band")) == [("X", "nr")] * 2
    after = stats.participations(partnership, 2024)
    assert (after["F"], after["M"], after["X"]) == (before["F"], before["M"], before["X"] + 2)
    assert stats.participations_by_age_band(partnership, 2024)["moins-18"] == young_before


def test_a_bad_proposal_is_refused_beside_the_field(partnership, client, open_forum):
    url = reverse("forums:propose", kwargs={"slug": partnership.slug, "pk": open_forum.pk})
    data = {
        "title": "T",
        "description": "D",
        "category": "sport",
        "estimated_cost": "-5",
        "contact": "x" * 300,
    }
    response = client.post(url, data)
    assert response.status_code == 200 and not Proposal.objects.filter(forum=open_forum).exists()
    assert "supérieure ou égale à 0" in field_box(response, "estimated_cost")
    assert "200 caractères" in field_box(response, "contact")


def test_a_voter_who_skips_sex_and_age_is_recorded_as_unknown(partnership, client):
    from demo import participation as demo
    from participation.models import Ballot

    cache.clear()
    forum = Forum.objects.get(partnership=partnership, slug="forum-2026")
    url = reverse("forums:vote", kwargs={"slug": partnership.slug, "pk": forum.pk})
    before = Ballot.objects.filter(forum=forum, sex="X", age_band="nr").count()
    code = demo.demo_codes()[demo.USED_2026]
    response = client.post(url, {"code": code, "choices": [forum.proposals.first().pk]})
    assert response.status_code == 200 and "vote est enregistré" in response.content.decode()
    assert Ballot.objects.filter(forum=forum, sex="X", age_band="nr").count() == before + 1


def test_five_megabytes_of_json_get_a_json_answer(partnership, client):
    body = '{"sex": "' + "F" * 5_000_000 + '"}'
    url = f"/api/v1/partnerships/{partnership.slug}/people"
    response = client.post(url, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Le corps de la requête est trop volumineux."}
