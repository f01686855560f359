"""docs/security.md 4, 12, 13, 14: a sentinel written into every encrypted field of a case is shown to her
listener and the centre coordinator only — never in another persona's pages, exports or API answers,
never in the history, never in clear in the database, never in an error report."""

import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import ApiToken
from cases.models import Case, CaseEvent
from conftest import ALL_PERSONAS
from core.crypto import encrypted_fields

from .conftest import SENTINEL, case_url
from .factories import CaseFactory

pytestmark = pytest.mark.small_world

OTHERS = [p for p in ALL_PERSONAS if p not in {"ecoute", "centre"}]


def case_pages(case):
    slug = case.partnership.slug
    return [
        case_url(case),
        case_url(case, "cases:case_edit"),
        case_url(case, "cases:case_add", kind="orientation"),
        case_url(case, "cases:case_close"),
        reverse("cases:centre", kwargs={"slug": slug}),
        reverse("cases:statistics", kwargs={"slug": slug}),
        reverse("cases:groups", kwargs={"slug": slug}),
        reverse("partnerships:detail", kwargs={"slug": slug}),
        reverse("programme:framework", kwargs={"slug": slug}),
        reverse("core:home"),
        "/admin/",
    ]


def test_sentinel_is_in_every_encrypted_case_field(sentinel_case):
    """The fixture really covers every encrypted field of the cases app."""
    fields = [(m, f) for m, f in encrypted_fields() if m._meta.app_label == "cases"]
    assert len(fields) >= 6
    for model, field in fields:
        values = model.objects.values_list(field.name, flat=True)
        assert any(SENTINEL in (v or "") for v in values), f"{model.__name__}.{field.name}"


@pytest.mark.parametrize("persona", ["ecoute", "centre"])
def test_her_listener_and_the_centre_coordinator_read_the_case(persona, sentinel_case, client_for):
    body = client_for(persona).get(case_url(sentinel_case)).content.decode()
    for word in ["Nom", "Tel", "Adresse", "Récit", "Note", "Motif"]:
        assert f"{word} {SENTINEL}" in body


@pytest.mark.parametrize("persona", OTHERS)
def test_no_other_persona_ever_sees_the_sentinel(persona, sentinel_case, client_for):
    client = client_for(persona)
    for url in case_pages(sentinel_case):
        response = client.get(url, follow=True)
        assert SENTINEL not in response.content.decode(), f"{persona} saw it at {url}"
    response = client.get(case_url(sentinel_case))
    assert response.status_code in (302, 404)
    if persona != "anonymous":
        assert response.status_code == 404
        # "Forbidden" looks exactly like "missing": the same page as for a code that does not exist.
        ghost = sentinel_case.code.replace("ce-", "zz-")
        missing = client.get(case_url(sentinel_case).replace(sentinel_case.code, ghost))
        assert missing.status_code == 404

        def clean(body):
            return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)

        assert clean(response.content.decode().replace(sentinel_case.code, ghost)) == clean(
            missing.content.decode()
        )


@pytest.mark.parametrize("persona", [p for p in ALL_PERSONAS if p != "anonymous"])
def test_the_api_never_returns_case_content(persona, sentinel_case, users):
    headers = {"Authorization": "Bearer " + ApiToken.issue(users[persona])}
    client = Client()
    schema = client.get("/api/v1/openapi.json", headers=headers).json()
    for path in schema["paths"]:
        if "{" in path:
            path = path.replace("{slug}", sentinel_case.partnership.slug)
        if "{" in path:
            continue
        body = client.get("/api/v1" + path.removeprefix("/api/v1"), headers=headers).content.decode()
        assert SENTINEL not in body
        assert sentinel_case.code not in body


def test_raw_database_dump_holds_no_sentinel(sentinel_case, users):
    """Every table, read with raw SQL (SQLite and PostgreSQL alike)."""
    CaseFactory(structure=sentinel_case.structure, by=users["ecoute"], full_name="Deuxième femme")
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            dump = repr(cursor.fetchall())
            assert SENTINEL not in dump, table
            assert "Deuxième femme" not in dump, table
    if connection.vendor == "sqlite":
        assert SENTINEL not in "\n".join(connection.connection.iterdump())


def test_history_stores_field_names_never_values(sentinel_case, client_for):
    client = client_for("ecoute")
    page = client.get(case_url(sentinel_case, "cases:case_edit"))
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "version"}
    data.update(
        {
            "version": sentinel_case.version,
            "opened_on": "2025-03-04",
            "full_name": "Autre Sentinelle-7f3a bis",
        }
    )
    for flag in ["children_with_her", "consent_services", "consent_statistics"]:
        data[flag] = "on"
    data.pop("consent_referral", None)
    response = client.post(case_url(sentinel_case, "cases:case_edit"), data)
    assert response.status_code == 302
    event = CaseEvent.objects.filter(case=sentinel_case, action="modification").get()
    assert event.fields == ["full_name"]
    assert SENTINEL not in repr(list(CaseEvent.objects.values()))


def test_case_models_are_not_in_the_admin():
    from django.apps import apps

    for model in apps.get_app_config("cases").get_models():
        assert not admin.site.is_registered(model), model.__name__


def test_str_of_a_case_is_its_code_only(sentinel_case):
    assert str(sentinel_case) == sentinel_case.code
    assert SENTINEL not in repr(sentinel_case)
    assert SENTINEL not in repr(list(Case.objects.all()))


def test_forced_exception_leaks_no_case_data(sentinel_case, client_for, monkeypatch, caplog):
    """docs/security.md 14: the 500 page, the log line and the technical error report (the one Django
    mails to ADMINS, with tracebacks and local variables) hold no case data. Production runs with
    DEBUG off, where sensitive_variables / sensitive_post_parameters are enforced."""
    from django.views.debug import ExceptionReporter

    def explode(*args, **kwargs):
        raise RuntimeError("panne provoquée")

    monkeypatch.setitem(cases.views.ADD_KINDS, "note", (cases.forms.NoteForm, explode, "Note"))
    client = client_for("ecoute")
    client.raise_request_exception = False
    secret = f"Nouvelle note {SENTINEL}"
    response = client.post(
        case_url(sentinel_case, "cases:case_add", kind="note"), {"date": "2025-04-01", "text": secret}
    )
    assert response.status_code == 500
    assert SENTINEL not in response.content.decode()
    record = next(r for r in caplog.records if getattr(r, "request", None) is not None and r.exc_info)
    assert SENTINEL not in caplog.text
    reporter = ExceptionReporter(record.request, *record.exc_info, is_email=True)
    html, text = reporter.get_traceback_html(), reporter.get_traceback_text()
    assert "panne provoquée" in text  # the report really holds the traceback and its frames…
    assert "case_add" in text
    for report in (html, text):
        assert SENTINEL not in report  # …but no note, no identity, no narrative


import cases.forms  # noqa: E402
import cases.views  # noqa: E402
