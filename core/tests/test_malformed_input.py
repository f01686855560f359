"""docs/security.md 23: malformed input gets a clear answer, never a 500 — deeply nested JSON on every
POST endpoint of the API, and ids beyond 64 bits in every field of every form of every page."""

import json

import lxml.html
import pytest
from django.urls import reverse

from accounts.models import ApiToken
from activities.models import Activity, Attendance, Tally
from config.api import api
from core.tests.test_authorisation_matrix import ROWS
from people.models import Person

BEYOND_64_BITS = "99999999999999999999"


def _post_endpoints(world):
    activity = Activity.objects.filter(partnership=world["partnership"]).first()
    for path, operations in api.get_openapi_schema()["paths"].items():
        if "post" in operations:
            yield path.replace("{slug}", world["partnership"].slug).replace("{activity_id}", str(activity.pk))


@pytest.mark.parametrize(
    "body",
    [
        "[" * 10_000 + "]" * 10_000,
        '{"a":' * 10_000 + "1" + "}" * 10_000,
        '{"people": [' + "[" * 40 + "1" + "]" * 40 + "]}",
    ],
    ids=["arrays-10000", "objects-10000", "arrays-41"],
)
def test_deeply_nested_json_is_refused_on_every_post_endpoint(world, client, body):
    token = ApiToken.issue(world["users"]["coordination"])
    counts = [
        Person.objects.count(),
        Activity.objects.count(),
        Attendance.objects.count(),
        Tally.objects.count(),
    ]
    endpoints = list(_post_endpoints(world))
    assert len(endpoints) >= 4
    for url in endpoints:
        response = client.post(
            url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        assert response.status_code == 422, url
        assert response.json() == {"detail": "Le corps de la requête est imbriqué trop profondément."}
    assert counts == [
        Person.objects.count(),
        Activity.objects.count(),
        Attendance.objects.count(),
        Tally.objects.count(),
    ]


@pytest.mark.parametrize("number", [BEYOND_64_BITS, "-" + BEYOND_64_BITS, "9223372036854775808", "1" * 5000])
def test_an_integer_beyond_64_bits_in_a_json_body_is_refused(world, client, number):
    token = ApiToken.issue(world["users"]["coordination"])
    for url in _post_endpoints(world):
        response = client.post(
            url,
            f'{{"people": [{number}], "birth_year": 2000}}',
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert response.status_code == 422, url
        assert response.json() == {"detail": "Le corps de la requête contient un nombre hors limites."}


def test_a_shallow_body_with_ordinary_numbers_still_reaches_the_endpoint(world, client):
    token = ApiToken.issue(world["users"]["coordination"])
    url = reverse("api:create_person", kwargs={"slug": world["partnership"].slug})
    body = json.dumps({"sex": "F", "birth_year": 2001, "target_groups": []})
    response = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 201


def _forms(html: bytes, page_url: str):
    """(action, method, {field: value}) for each form of a page, its own values filled in."""
    if not html.strip():
        return
    for form in lxml.html.fromstring(html).forms:
        values = {}
        for field in form.inputs:
            name = field.get("name")
            if not name or name == "csrfmiddlewaretoken":
                continue
            value = form.inputs[name].value
            values[name] = "" if value is None else value if isinstance(value, str) else list(value)
        if values:
            yield form.get("action") or page_url, (form.get("method") or "get").lower(), values


def test_an_id_beyond_64_bits_in_any_form_field_is_not_a_500(world, users, client_for):
    """Every page of the authorisation matrix, as a persona allowed there; every form on it, sent once
    per field with that field set to a number no database column holds."""
    sent, tried = set(), 0
    for name, row in ROWS.items():
        persona = next((p for p in row.allowed if p in users or p == "anonymous"), None)
        if row.token or row.method != "get" or persona is None:
            continue
        client = client_for(persona)
        url = reverse(name.split("#")[0], kwargs=row.kwargs(world))
        page = client.get(url)
        if "html" not in page.get("Content-Type", ""):
            continue
        for action, method, values in _forms(page.content, url):
            key = (action, method, tuple(sorted(values)))
            if key in sent:
                continue
            sent.add(key)
            for field in values:
                data = {**values, field: BEYOND_64_BITS}
                response = client.post(action, data) if method == "post" else client.get(action, data)
                tried += 1
                assert response.status_code < 500, (name, action, field)
    assert tried > 100  # the walk reached the forms


def test_the_refusal_speaks_the_callers_language(world, client):
    body = "[" * 100 + "]" * 100
    response = client.post(
        "/api/v1/activities/1/attendance", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 422
    assert response.json() == {"detail": "The request body is nested too deeply."}
