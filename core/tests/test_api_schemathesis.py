"""docs/security.md 23: the API is fuzzed from its own OpenAPI schema by schemathesis, in-process.

For each persona, every operation gets valid and invalid requests, on random paths and on the real
partnership and one of its activities. No answer may be a 5xx, and each must be documented in the
schema (status code, content type, body); a request without a token must get 401.

schemathesis' pytest plugin (`schema.parametrize`) does not run under pytest 9, so the operations
are driven with its hypothesis strategies. Not checked: `positive_data_acceptance` (unknown codes,
people of another partnership or dates outside its years are schema-valid yet refused with 422, by
contract) and `negative_data_rejection` (it wants unknown query parameters refused, and counts the
token we send as missing).
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import ApiToken
from activities.models import Activity, Attendance, Tally
from people.models import Person

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    ignored_auth,
]
DJANGO = WSGIHandler()


def wsgi_app(environ, start_response):
    """Django's WSGI handler, kept from closing the test's database connection (as its test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = DJANGO(environ, start_response)
        body = b"".join(response)
        response.close()
        return [body]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("persona", ["coordination", "jour", "jette", "outsider", "anonymous"])
def test_api_passes_schemathesis(world, users, persona):
    headers = {} if persona == "anonymous" else {"Authorization": "Bearer " + ApiToken.issue(users[persona])}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    activity = Activity.objects.filter(kind="accueil-jour").first()  # the day centre's: `jour` writes it
    before = written()
    real = {"slug": world["partnership"].slug, "activity_id": activity.pk}
    for result in schema.get_all_operations():
        operation = result.ok()
        known = {name: value for name, value in real.items() if "{" + name + "}" in operation.path}
        cases = st.one_of(
            [
                operation.as_strategy(mode, path_parameters=fixed)
                for mode in GenerationMode
                for fixed in ({}, known)
            ]
        )

        @given(case=cases)
        @settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        def call(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        call()
    if persona in ("jette", "outsider", "anonymous"):
        assert written() == before  # they may write nothing: every write of the fuzzer was refused


def written():
    return [
        Person.objects.count(),
        Activity.objects.count(),
        Attendance.objects.count(),
        list(Tally.objects.values()),
    ]


# What the fuzzer found, kept as plain regression tests (SQLite and PostgreSQL).

SLUG = "belfaa-jette-2022-2026"


@pytest.fixture
def call(client, users):
    token = ApiToken.issue(users["coordination"])

    def call(method, path, body=None):
        return getattr(client, method)(
            "/api/v1" + path,
            data=body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )

    return call


def test_every_answer_is_documented(client, world):
    schema = client.get("/api/v1/openapi.json").json()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            expected = {"401"} if path.endswith("/partnerships") else {"401", "404", "422"}
            assert expected <= set(operation["responses"]), (method, path)
            # A request body is self-contained: no `$defs` reference that would resolve nowhere.
            assert "$defs" not in str(operation.get("requestBody", "")), (method, path)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", f"/partnerships/{SLUG}/indicators?year=abc"),
        ("get", f"/partnerships/{SLUG}/indicators?year="),
        ("post", "/activities/null/attendance"),
        ("get", "/partnerships/a%00b/indicators"),  # PostgreSQL refuses NUL: was a 500 there
        ("post", "/partnerships/a%00b/people"),
    ],
)
def test_bad_parameters_get_one_french_message(call, method, path):
    response = call(method, path, {"people": []} if method == "post" else None)
    assert response.status_code == 422
    assert (
        response.json() == {"detail": response.json()["detail"]} and "invalide" in response.json()["detail"]
    )


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/activities/{id}/attendance", {"people": [True]}),  # was taken as person 1
        ("/activities/{id}/attendance", {"people": [-11425599646494300160]}),  # was a 500 (SQLite)
        ("/activities/{id}/tallies", [{"sex": "F", "count": 2**40}]),  # was a 500 (PostgreSQL)
        (f"/partnerships/{SLUG}/activities", {"kind": "forum", "title": "a\x00b", "date": "2024-01-01"}),
        (f"/partnerships/{SLUG}/activities", {"kind": "forum", "title": "a\ud86fb", "date": "2024-01-01"}),
        (f"/partnerships/{SLUG}/people", {"sex": "F", "birth_year": 2000, "target_groups": ["a\ud86f"]}),
    ],
)
def test_bad_bodies_are_refused_and_nothing_is_written(call, path, body):
    activity = Activity.objects.filter(kind="accueil-jour").first()
    before = written()
    response = call("post", path.format(id=activity.pk), body)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str)
    assert written() == before
