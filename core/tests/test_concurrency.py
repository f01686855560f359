"""docs/security.md 28: concurrent writers never get a 5xx, and no accepted write is lost.

A real server (gunicorn, 2 workers × 4 threads, on port TWIZA_LIVE_PORT) serves a fresh demo database
— a file SQLite database, or `<name>_live` beside the PostgreSQL database of DATABASE_URL — while
8 writers, each signed in as the coordinator, loop for TWIZA_LIVE_SECONDS (10) seconds over: register
a person (API), mark her present at one shared activity (API), and put the shared tally's women's
number up by one (the tally table's form, read-then-write: refused when someone changed it
meanwhile). Then, the server stopped: every person and attendance accepted is there, the tally grew
by exactly the numbers written, and the indicators' derived tables equal a rebuild.

Slow (~30 s) and needs a free port: run with `pytest -m live` (CI does, on SQLite and PostgreSQL).
"""

import os
import re
import threading
import time
from collections import Counter

import pytest
import requests

from core.tests.live import PASSWORD, SLUG, serve, shell_json

pytestmark = pytest.mark.live

SECONDS = float(os.environ.get("TWIZA_LIVE_SECONDS", "10"))
WRITERS = 8

SETUP = """
import json
from django.utils import timezone
from accounts.models import ApiToken, User
from activities.models import Activity
activity = (Activity.objects.filter(partnership__slug=%(slug)r, date__lte=timezone.localdate())
            .order_by("-date", "pk").first())
tally = activity.tallies.filter(sex="F", target_group=None).first()
print(json.dumps({
    "token": ApiToken.issue(User.objects.get(username="coordination")),
    "activity": activity.pk,
    "attendance": activity.attendances.count(),
    "tally": tally.count if tally else 0,
}))
"""

# The engine's module moves from programme to indicators (issue 12): either is fine here.
CHECK = """
import json
from activities.models import Activity
from partnerships.models import Partnership
from people.models import Person
try:
    from indicators import engine
except ImportError:
    from programme import engine
activity = Activity.objects.get(pk=%(activity)d)
partnership = Partnership.objects.get(slug=%(slug)r)
tally = activity.tallies.filter(sex="F", target_group=None).first()
before = engine.values_of(partnership)
engine.rebuild(partnership)
after = engine.values_of(partnership)
print(json.dumps({
    "people": sorted(Person.objects.filter(pk__in=%(people)r).values_list("pk", flat=True)),
    "attended": sorted(activity.attendances.filter(person_id__in=%(attended)r)
                       .values_list("person_id", flat=True)),
    "attendance": activity.attendances.count(),
    "tally": tally.count if tally else 0,
    "derived_mismatches": sorted(str(k) for k in set(before) | set(after)
                                 if before.get(k, 0) != after.get(k, 0)),
}))
"""


@pytest.fixture
def live_server_env(tmp_path):
    with serve(tmp_path, workers=2, threads=4) as (env, base, _pid):
        yield env, base, shell_json(env, SETUP % {"slug": SLUG})


def _signed_in(base) -> requests.Session:
    session = requests.Session()
    page = session.get(base + "/comptes/connexion/", timeout=30)
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert found, page.text
    token = found.group(1)
    answer = session.post(
        base + "/comptes/connexion/",
        data={"csrfmiddlewaretoken": token, "username": "coordination", "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text[:500]
    return session


def _writer(base, facts, deadline, log, index):
    """Loops until the deadline; logs (operation, status, value) for every answer."""
    session = _signed_in(base)
    api = {"Authorization": f"Bearer {facts['token']}"}
    activity = facts["activity"]
    csrf = session.cookies["csrftoken"]
    seen = facts["tally"]
    while time.monotonic() < deadline:
        try:
            created = session.post(
                f"{base}/api/v1/partnerships/{SLUG}/people",
                json={"sex": "FM"[index % 2], "birth_year": 2000 + index},
                headers=api,
                timeout=60,
            )
            log.append(("person", created.status_code, created.json().get("id") if created.ok else None))
            if created.status_code == 201:
                person = created.json()["id"]
                present = session.post(
                    f"{base}/api/v1/activities/{activity}/attendance",
                    json={"people": [person]},
                    headers=api,
                    timeout=60,
                )
                log.append(("attendance", present.status_code, person))
            # One more woman on the shared tally, from the number last read: written only if nobody
            # changed it meanwhile (else the answer carries the number to read again).
            pressed = session.post(
                f"{base}/p/{SLUG}/activites/{activity}/comptages/",
                data={"n-F": str(seen + 1), "was-F": str(seen)},
                headers={"X-CSRFToken": csrf, "HX-Request": "true"},
                timeout=60,
            )
            written = pressed.ok and 'data-changed="1"' in pressed.text
            log.append(("tally", pressed.status_code, written))
            seen = (
                int(re.search(r'name="was-F" value="(\d+)"', pressed.text).group(1)) if pressed.ok else seen
            )
        except requests.RequestException as exc:
            log.append(("error", 0, repr(exc)))


def test_eight_writers_on_a_live_server_get_no_5xx_and_lose_nothing(live_server_env):
    env, base, facts = live_server_env
    log: list = []
    deadline = time.monotonic() + SECONDS
    threads = [threading.Thread(target=_writer, args=(base, facts, deadline, log, i)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    people = sorted(v for op, status, v in log if op == "person" and status == 201)
    attended = sorted(v for op, status, v in log if op == "attendance" and status == 200)
    presses = sum(1 for op, status, written in log if op == "tally" and status == 200 and written)
    failures = Counter((op, status) for op, status, _ in log if status >= 500 or status == 0)
    check = shell_json(
        env, CHECK % {"activity": facts["activity"], "slug": SLUG, "people": people, "attended": attended}
    )
    backend = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    print(
        f"\n{backend}: {len(log)} requests by {WRITERS} writers in {SECONDS:.0f} s; "
        f"{sum(failures.values())} ≥ 500 or failed {dict(failures)}; "
        f"{len(people) - len(check['people'])} people, {len(attended) - len(check['attended'])} attendances "
        f"and {facts['tally'] + presses - check['tally']} tally presses lost; "
        f"{len(check['derived_mismatches'])} derived values off"
    )
    assert len(log) >= 3 * WRITERS, "the writers barely ran"
    assert not failures, failures.most_common(5)
    assert check["people"] == people
    assert check["attended"] == attended
    assert check["attendance"] == facts["attendance"] + len(attended)
    assert check["tally"] == facts["tally"] + presses
    assert check["derived_mismatches"] == []
