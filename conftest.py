"""Test personas, named after the demo users (docs/api.md), in two worlds.

`small_world` is made by factories (`<app>/tests/factories.py`) inside each test: a partnership with
one user per persona and a mirror partnership ("autre") with its own coordinator and listener, so a
test can check that one tenant never sees the other. Unit tests of access, actions and the engine
build on it (or on a few factory rows of their own): a change of demo text cannot break them.

`world` is the demo (the Belfaa–Jette partnership of the roadmap, built once per test database by
the demo's own loaders) plus the same mirror partnership: the one integration layer — the
authorisation matrix, the pages, the languages, the indicators' oracle — runs on it.

The personas' fixtures (`users`, `partnership`, `coordination`…, `client_for`) read `world`: a test
marked `small_world` (`pytestmark = pytest.mark.small_world` for a module) gets them made by
factories, every other test — and one marked `demo_world` in such a module — gets the demo's.
"""

import os
import re

import pytest

PERSONAS = ["admin", "coordination", "ecoute", "centre", "accueil", "jour", "jette", "reseau"]
OTHER_PERSONAS = ["autre_coordination", "autre_ecoute"]
ALL_PERSONAS = [*PERSONAS, *OTHER_PERSONAS, "outsider", "anonymous"]
PASSWORD = "a-long-test-password-2026"


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_xdist_auto_num_workers(config) -> int:
    """How many processes `-n auto` (pyproject.toml) starts: one per core for the whole suite, each
    with its own test database and demo world. 0 (a single process) for a run of some files or
    tests (a second database and world would cost more than they save), and for the browser and
    live runs (`-m browser`, `-m live`), which share one Chromium and the live server's fixed port.
    PYTEST_XDIST_AUTO_NUM_WORKERS, when set, decides."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return int(os.environ["PYTEST_XDIST_AUTO_NUM_WORKERS"])
    if config.args_source != pytest.Config.ArgsSource.TESTPATHS:
        return 0
    if re.search(r"(?<!not )\b(browser|live)\b", config.option.markexpr or ""):
        return 0
    return len(os.sched_getaffinity(0))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items) -> None:
    """The indicators' oracle first: each of its tests takes a minute or more (200 worlds), so under
    xdist they start while the other process runs the short ones, never last and alone. (After
    pytest-django's own order, which this keeps: they are plain database tests.)"""
    items.sort(key=lambda item: not item.nodeid.startswith("indicators/tests/test_oracle.py"))


def build_world():
    """The world, built once per test database (then each test runs in a transaction rolled back).

    Idempotent: where the world is there already, it is only read.
    """
    from django.test import override_settings

    from accounts.models import User
    from demo.world import load_all
    from partnerships.models import Membership, Network, Organisation, Partnership, Role, Structure

    existing = Partnership.objects.filter(slug="ailleurs-2023-2027").first()
    if existing is not None:
        return {
            "partnership": Partnership.objects.get(slug="belfaa-jette-2022-2026"),
            "other": existing,
            "users": {u.username: u for u in User.objects.all()},
        }
    with override_settings(TWIZA_DEMO_PASSWORD=PASSWORD, PASSWORD_HASHERS=FAST_HASHERS):
        partnership = load_all()
    network = Network.objects.create(slug="autre-reseau", name="Autre réseau")
    commune = Organisation.objects.create(slug="autre-commune", name="Commune d'Ailleurs", kind="commune")
    other = Partnership.objects.create(
        network=network,
        slug="ailleurs-2023-2027",
        name="Partenariat d'Ailleurs",
        start_year=2023,
        end_year=2027,
        code_prefix="AIL",
    )
    other.communes.set([commune])
    other_centre = Structure.objects.create(
        partnership=other,
        code="centre-ecoute",
        name="Autre centre d'écoute",
        kind="centre-ecoute",
        status="nouveau",
        organisation=commune,
    )
    users = {u.username: u for u in User.objects.all()}
    for username, role, structure in [
        ("autre_coordination", Role.COORDINATOR, None),
        ("autre_ecoute", Role.LISTENER, other_centre),
    ]:
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            users[username] = User.objects.create_user(username, password=PASSWORD)
        Membership.objects.create(user=users[username], role=role, partnership=other, structure=structure)
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        users["outsider"] = User.objects.create_user("outsider", password=PASSWORD)
    return {"partnership": partnership, "other": other, "users": users}


@pytest.fixture(autouse=True)
def _french_first():
    """Each test starts in French, the source language, whatever ran before it on its process:
    Django's LocaleMiddleware leaves a request's language active in the thread, and the test client
    runs requests in the test's own thread (an Arabic page left the next test's messages Arabic)."""
    from django.utils import translation

    translation.activate("fr")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is the production hasher (tested in accounts/tests); tests hash with a fast one.
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Build the world once in the test database: each test then reads it inside its transaction."""
    with django_db_blocker.unblock():
        build_world()


@pytest.fixture
def empty_db(db):
    """An empty database: the shared world is deleted inside this test's transaction (rolled back)."""
    from django.apps import apps
    from django.db import transaction

    models = [
        m for m in apps.get_models() if m._meta.app_label not in {"contenttypes", "auth", "sessions", "admin"}
    ]
    for _ in range(len(models)):
        remaining = [m for m in models if m._base_manager.exists()]
        if not remaining:
            break
        for model in remaining:
            try:
                with transaction.atomic():
                    model._base_manager.all().delete()
            except Exception:  # noqa: S112 - still referenced by a protected row: retried next round
                continue


def build_small_world():
    """The personas of `PERSONAS`, `OTHER_PERSONAS` and an outsider, made by factories: the same
    shape as `build_world()`, none of its rows, usernames or slugs."""
    from partnerships.tests.factories import PartnershipFactory, persona

    partnership, other = PartnershipFactory(), PartnershipFactory(start_year=2023, end_year=2027)
    users = {name: persona(name, partnership) for name in PERSONAS}
    users["autre_coordination"] = persona("coordination", other)
    users["autre_ecoute"] = persona("ecoute", other, device=False)  # as in `world`: none set up yet
    users["outsider"] = persona("outsider")
    return {"partnership": partnership, "other": other, "users": users}


@pytest.fixture
def world(request, db):
    """The demo world (the integration layer); for a test marked `small_world`, the factories' one."""
    node = request.node
    if node.get_closest_marker("small_world") and not node.get_closest_marker("demo_world"):
        return request.getfixturevalue("small_world")
    return build_world()


@pytest.fixture
def small_world(db):
    """Two partnerships and every persona, made by factories inside this test's transaction."""
    return build_small_world()


@pytest.fixture
def demo_activity(world):
    """The demo's fictional activity 2022–2026 with its indicators (part of the shared world)."""
    return world


@pytest.fixture
def partnership(world):
    return world["partnership"]


@pytest.fixture
def users(world):
    return world["users"]


def _persona(name):
    @pytest.fixture(name=name)
    def fixture(users):
        return users[name]

    return fixture


for _name in [*PERSONAS, *OTHER_PERSONAS, "outsider"]:
    globals()[_name] = _persona(_name)


@pytest.fixture
def client_for(users, client):
    """A test client signed in as a persona (`anonymous`: not signed in)."""

    def make(name):
        from django.test import Client

        c = Client()
        if name != "anonymous":
            c.force_login(users[name])
            verify_second_factor(c, users[name])
        return c

    return make


CHROMIUM = "/usr/bin/chromium"


def pytest_configure(config):
    _serial_live_server()


def _serial_live_server():
    """The live server's threads share SQLite's in-memory test database: one connection, so two
    requests at once (Chromium asks for /favicon.ico while the next page loads) interleave their
    savepoints ("no such savepoint", a 400 in CI). Threads still accept the sockets — a speculative
    connection Chromium opens and never uses cannot block the server — but Django answers one
    request at a time. (PostgreSQL's live server has a connection per thread; the lock costs it
    nothing that matters in a test.)"""
    import threading

    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test.testcases import LiveServerThread

    class SerialWSGIServer(ThreadedWSGIServer):
        lock = threading.Lock()

        def set_app(self, application):
            def serial(environ, start_response):
                with self.lock:
                    response = application(environ, start_response)
                    try:
                        return [b"".join(response)]
                    finally:
                        if hasattr(response, "close"):
                            response.close()

            super().set_app(serial)

    LiveServerThread.server_class = SerialWSGIServer


@pytest.fixture
def browser_page(transactional_db, live_server):
    """A Playwright page in Debian's Chromium, 360 × 740 (a cheap phone), against the live server.

    Skips with a clear message when Chromium is missing, except under CI (CI=true), which must run it.
    """
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"{CHROMIUM} is missing: CI must run the browser tests (scripts/install-system-packages.sh)"
            )
        pytest.skip(f"{CHROMIUM} is missing: run scripts/install-system-packages.sh to run browser tests")
    # Playwright's sync API runs an event loop in this thread; the test's own DB calls are synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.base_url = live_server.url
        yield page
        context.close()
        browser.close()
    # The demo world writes the role log (its pending invitation): empty it as the flush cannot.
    _empty_append_only("partnerships.migrations.0003_role_log_append_only", "partnerships_rolelog")


def _empty_append_only(migration: str, table: str):
    """A transactional test's reset deletes every row, which SQLite's append-only triggers refuse:
    lift the triggers of `migration`, empty `table`, put them back."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return  # PostgreSQL's TRUNCATE is not a row DELETE
    from importlib import import_module

    sql = import_module(migration).SQL["sqlite"]
    with connection.cursor() as cursor:
        for statement in sql[1]:
            cursor.execute(statement)
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a table name of ours, not input
        for statement in sql[0]:
            cursor.execute(statement)


@pytest.fixture
def purge_access_log_after(browser_page):
    """The access log is append-only (database triggers); a transactional test's reset deletes every
    row, which SQLite's trigger refuses. After the test only, lift the trigger, empty, put it back."""
    yield
    _empty_append_only("cases.migrations.0002_access_log_append_only", "cases_accesslog")


def log_in(page, username, password=PASSWORD):
    page.goto(page.base_url + "/comptes/connexion/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def verify_second_factor(client, user):
    """Marks a signed-in test client as having passed TOTP (docs/security.md 17), when her role needs it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.otp import requires_otp

    if not requires_otp(user):
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
