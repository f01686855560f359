"""docs/security.md 3: every URL name × every persona gives the status the matrix says.

A view that nobody listed in an app's tests/matrix.py fails `test_every_url_name_is_listed`.
"""

import importlib

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import ApiToken
from conftest import ALL_PERSONAS

# Django's admin has its own door (staff only) and its own tests; only its index is walked here.
DELEGATED_NAMESPACES = {"admin"}


def url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            yield from url_names(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def matrix_rows():
    rows = {}
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.tests.matrix")
        except ModuleNotFoundError:
            continue
        overlap = rows.keys() & module.ROWS.keys()
        assert not overlap, f"listed twice: {overlap}"
        rows.update(module.ROWS)
    return rows


ROWS = matrix_rows()


def test_every_url_name_is_listed():
    listed = {name.split("#")[0] for name in ROWS}
    missing = {
        name
        for name in set(url_names())
        if name.split(":")[0] not in DELEGATED_NAMESPACES and name not in listed
    }
    assert not missing, f"URL names missing from the authorisation matrix: {sorted(missing)}"


def test_matrix_lists_no_ghost():
    existing = set(url_names())
    ghosts = {name.split("#")[0] for name in ROWS} - existing
    assert not ghosts, f"the matrix lists URL names that no longer exist: {sorted(ghosts)}"


@pytest.mark.parametrize("persona", ALL_PERSONAS)
@pytest.mark.parametrize("name", sorted(ROWS))
def test_matrix(name, persona, world, client_for):
    row = ROWS[name]
    url = reverse(name.split("#")[0], kwargs=row.kwargs(world))
    client = client_for(persona)
    headers = {}
    if row.token:
        client = client_for("anonymous")
        if persona != "anonymous":
            headers["Authorization"] = "Bearer " + ApiToken.issue(world["users"][persona])
    data = row.data(world) if row.data else None
    # The API reads JSON bodies only (docs/api.md).
    json_body = {"content_type": "application/json"} if row.token and data is not None else {}
    response = getattr(client, row.method)(url, data=data, headers=headers, **json_body)
    if persona in row.allowed:
        expected = row.ok
    elif persona == "anonymous":
        expected = 401 if row.token else 302
    else:
        expected = row.denied
    assert response.status_code == expected, f"{name} as {persona}: {response.status_code}"
    if persona == "anonymous" and expected == 302 and persona not in row.allowed:
        assert "/comptes/connexion/" in response["Location"]


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_admin_is_for_the_platform_administrator_only(persona, world, client_for):
    response = client_for(persona).get(reverse("admin:index"))
    if persona == "admin":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
