"""docs/security.md 32 and 14: a name searched for never travels in an address, so it never reaches the web
server's or a proxy's access log, nor a browser's history. Searches are posted, with the CSRF token.

Unit tests on factories (`small_world`): the day centre's people and its session are made here."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from conftest import verify_second_factor

from .factories import PersonFactory

pytestmark = pytest.mark.small_world

NAME = "Zineb-Recherchée"


@pytest.fixture
def sought(day_centre):
    """A woman of the day centre, among a man and another woman of hers (who are not found)."""
    PersonFactory(structure=day_centre, sex="M")
    PersonFactory(structure=day_centre, sex="F")
    return PersonFactory(structure=day_centre, sex="F", first_name=NAME)


def strict_client(user):
    """A client that checks CSRF tokens like a browser's requests are checked."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    verify_second_factor(client, user)
    return client


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def addresses(html: str) -> list[str]:
    return re.findall(r'(?:href|action|hx-get|hx-post)="([^"]*)"', html)


def test_the_registry_search_is_posted_with_its_csrf_token(sought, users):
    client = strict_client(users["jour"])
    url = reverse("people:list", kwargs={"slug": sought.partnership.slug})
    page = client.get(url).content.decode()
    assert re.search(r'<form class="filters" method="post"', page)
    assert client.post(url, {"q": NAME[:6]}).status_code == 403  # no token, no search
    response = client.post(url, {"q": NAME[:6], "csrfmiddlewaretoken": csrf_token(page)})
    assert response.status_code == 200
    assert [r["person"] for r in response.context["rows"]] == [sought]
    assert not any("q=" in a or NAME[:6] in a for a in addresses(response.content.decode()))


def test_a_name_in_the_address_finds_nothing(sought, client_for):
    client = client_for("jour")
    url = reverse("people:list", kwargs={"slug": sought.partnership.slug})
    everyone = client.get(url).context["page"].paginator.count
    assert everyone > 1
    # An old bookmark with ?q= is ignored: the other filters still apply.
    assert client.get(url, {"q": NAME}).context["page"].paginator.count == everyone
    women = client.get(url, {"q": NAME, "sex": "F"}).context["page"].paginator.count
    assert 0 < women < everyone


def test_the_next_page_of_a_search_is_posted_and_no_link_carries_the_term(
    partnership, day_centre, client_for
):
    for _ in range(51):  # a page holds 50
        PersonFactory(structure=day_centre)
    term = partnership.code_prefix  # every code of the partnership starts with it
    client = client_for("coordination")
    url = reverse("people:list", kwargs={"slug": partnership.slug})
    first = client.post(url, {"q": term, "sort": "code"})
    assert first.context["page"].paginator.num_pages > 1
    html = first.content.decode()
    assert 'form="people-filters" name="page" value="2"' in html
    assert not any("q=" in a or term in a for a in addresses(html))
    second = client.post(url, {"q": term, "sort": "code", "page": "2"})
    assert second.context["page"].number == 2
    assert second.context["rows"][0]["person"].code > first.context["rows"][-1]["person"].code


def test_the_attendance_search_as_you_type_is_posted_by_htmx_with_the_token(sought, held_session, users):
    # A session already held: attendance of a planned one is refused (issue 12).
    activity = held_session()
    kwargs = {"slug": sought.partnership.slug, "pk": activity.pk}
    client = strict_client(users["jour"])
    page = client.get(reverse("activities:attendance", kwargs=kwargs)).content.decode()
    search = reverse("activities:search", kwargs=kwargs)
    # The input posts inside a form holding the CSRF token (htmx sends the enclosing form's fields).
    form = re.search(r'<form[^>]*hx-post="' + re.escape(search) + r'".*?</form>', page, re.S).group(0)
    assert 'name="csrfmiddlewaretoken"' in form and 'hx-post="' + search in form.split('id="q"')[1]
    assert "hx-get" not in page
    headers = {"HX-Request": "true"}
    assert client.get(search, {"q": NAME[:6]}, headers=headers).status_code == 405
    assert client.post(search, {"q": NAME[:6]}, headers=headers).status_code == 403
    found = client.post(search, {"q": NAME[:6], "csrfmiddlewaretoken": csrf_token(page)}, headers=headers)
    assert found.status_code == 200 and sought.code in found.content.decode()


def test_an_export_address_with_a_name_exports_as_without_it(sought, client_for):
    client = client_for("jour")
    url = f"/p/{sought.partnership.slug}/rapports/exports/personnes.csv"
    with_name = b"".join(client.get(url, {"q": NAME}).streaming_content)
    assert with_name == b"".join(client.get(url).streaming_content)
