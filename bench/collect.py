"""ODK Collect's submissions over HTTP ÷ the same writes through the JSON API, on one live server.

    .venv/bin/python bench/collect.py                    # 1,000 submissions; SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/collect.py
    .venv/bin/python bench/collect.py --count 200        # a quicker look

A fresh demo database and a production gunicorn (core/tests/live.py; 2 workers, 1 thread each). The
migrant office's agent (`accueil`) gets a device password (`create_device_password`) and an API
token (`create_api_token`); 20 people are registered in her structure. Then, in rounds of 50 so that
neither side meets a bigger database than the other, the same activities are written both ways by
`--clients` concurrent clients:
- the JSON API: POST the activity, POST its 20 attendees, POST its 6 tallies (three requests, as an
  app would, activities/api.py);
- OpenRosa: one multipart POST of the XML ODK Collect sends (`xml_submission_file`), after the HEAD
  that Collect makes once per sending session.
Each submission holds 20 registered attendees and 6 tallies (F, M, X × two target groups). Printed:
throughput of each, their ratio (goal ≥ 0.8), then every submission resent once (goal: adds
nothing, costs ≤ 0.5 × the first pass), checked by counting the activities, attendance and tallies
in the database before and after.
"""

import argparse
import concurrent.futures
import datetime as dt
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests  # noqa: E402
from defusedxml import ElementTree as ET  # noqa: E402

from core.tests.live import SLUG, manage, serve, shell_json  # noqa: E402

STRUCTURE = "bureau-migrants"
GROUPS = ["migrants", "jeunes-citoyens"]
OPENROSA = {"X-OpenRosa-Version": "1.0", "User-Agent": "org.odk.collect.android/v2024.3 (bench)"}

SETUP = """
import json
from partnerships.models import Structure
from people.actions import register_person
from people.models import TargetGroup
structure = Structure.objects.get(partnership__slug=%(slug)r, code=%(structure)r)
group = TargetGroup.objects.get(code="migrants")
people = [
    register_person(structure.partnership, sex="FM"[i %% 2], birth_year=1990 + i, structure=structure,
                    target_groups=[group], first_name="Banc", last_name="Essai %%d" %% i)
    for i in range(20)
]
print(json.dumps([[p.pk, p.code] for p in people]))
"""

COUNTS = """
import json
from activities.models import Activity, Attendance, Tally
rows = Activity.objects.filter(partnership__slug=%(slug)r, structure__code=%(structure)r)
print(json.dumps([rows.count(), Attendance.objects.filter(activity__in=rows).count(),
                  Tally.objects.filter(activity__in=rows).count()]))
"""


def _last_word(text: str) -> str:
    return text.split()[-1]


def submission_xml(form_id: str, version: str, n: int, day: dt.date, codes: list[str]) -> bytes:
    tallies = "".join(
        f"<comptages><public>{group}</public><femmes>{3 + n % 5}</femmes><hommes>{2 + n % 4}</hommes>"
        f"<non_precise>{1 + n % 2}</non_precise></comptages>"
        for group in GROUPS
    )
    return (
        f'<?xml version="1.0"?><data xmlns:orx="http://openrosa.org/xforms" id="{form_id}" version="{version}">'
        f"<activite><type>reunion-info</type><titre>{escape(f'Séance banc {n}')}</titre>"
        f"<date>{day.isoformat()}</date><resultats/><lieu/></activite>"
        f"<presences><presents>{' '.join(codes)}</presents></presences>{tallies}"
        f"<meta><orx:instanceID>uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'bench:{n}')}</orx:instanceID></meta></data>"
    ).encode()


class Odk:
    """What ODK Collect sends: Basic credentials, OpenRosa headers, multipart `xml_submission_file`."""

    def __init__(self, base: str, username: str, password: str) -> None:
        self.base, self.session = f"{base}/openrosa/{SLUG}", requests.Session()
        self.session.auth = (username, password)
        self.session.headers.update(OPENROSA)

    def form(self) -> tuple[str, str]:
        answer = self.session.get(f"{self.base}/formList", timeout=60)
        answer.raise_for_status()
        ns = {"x": "http://openrosa.org/xforms/xformsList"}
        for form in ET.fromstring(answer.content).iterfind("x:xform", ns):
            form_id = form.findtext("x:formID", namespaces=ns) or ""
            if form_id.startswith("twiza_activite_"):
                return form_id, form.findtext("x:version", namespaces=ns) or ""
        raise SystemExit("No activity form in the device's form list")

    def head(self) -> None:
        answer = self.session.head(f"{self.base}/submission", timeout=60)
        if answer.status_code != 204:
            raise SystemExit(f"HEAD /submission answered {answer.status_code}")

    def submit(self, xml: bytes) -> int:
        files = {"xml_submission_file": ("submission.xml", xml, "text/xml")}
        answer = self.session.post(f"{self.base}/submission", files=files, timeout=60)
        if answer.status_code not in (201, 202):
            raise SystemExit(f"submission answered {answer.status_code}: {answer.text[:500]}")
        return answer.status_code


class Api:
    """The same writes through the JSON API (activities/api.py): three requests per activity."""

    def __init__(self, base: str, token: str) -> None:
        self.base, self.session = f"{base}/api/v1", requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def write(self, n: int, day: dt.date, ids: list[int]) -> None:
        title = f"Séance API {n}"
        activity = {"kind": "reunion-info", "title": title, "date": day.isoformat(), "structure": STRUCTURE}
        answer = self.session.post(f"{self.base}/partnerships/{SLUG}/activities", json=activity, timeout=60)
        if answer.status_code != 201:
            raise SystemExit(f"API activity answered {answer.status_code}: {answer.text[:500]}")
        pk = answer.json()["id"]
        bodies: tuple[tuple[str, Any], ...] = (
            ("attendance", {"people": ids}),
            (
                "tallies",
                [
                    {"sex": sex, "target_group": group, "count": count}
                    for group in GROUPS
                    for sex, count in (("F", 3 + n % 5), ("M", 2 + n % 4), ("X", 1 + n % 2))
                ],
            ),
        )
        for path, body in bodies:
            answer = self.session.post(f"{self.base}/activities/{pk}/{path}", json=body, timeout=60)
            if answer.status_code != 200:
                raise SystemExit(f"API {path} answered {answer.status_code}: {answer.text[:500]}")


def timed(clients: int, jobs) -> float:
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(job) for job in jobs]:
            future.result()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--round", type=int, default=50)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="twiza-collect-bench-") as scratch,
        serve(Path(scratch), workers=2, threads=1, production=True) as (env, base, _pid),
    ):
        people = shell_json(env, SETUP % {"slug": SLUG, "structure": STRUCTURE})
        ids, codes = [pk for pk, _ in people], [code for _, code in people]
        password = _last_word(manage(env, "create_device_password", "accueil"))
        token = _last_word(manage(env, "create_api_token", "accueil"))
        odk, api = Odk(base, "accueil", password), Api(base, token)
        form_id, version = odk.form()
        day = dt.date.today() - dt.timedelta(days=3)
        xmls = [submission_xml(form_id, version, n, day, codes) for n in range(args.count)]
        odk.head()
        odk_time = api_time = 0.0
        for start in range(0, args.count, args.round):
            batch = range(start, min(args.count, start + args.round))
            api_time += timed(args.clients, [lambda n=n: api.write(n, day, ids) for n in batch])
            odk_time += timed(args.clients, [lambda n=n: odk.submit(xmls[n]) for n in batch])
        before = shell_json(env, COUNTS % {"slug": SLUG, "structure": STRUCTURE})
        odk.head()
        resend_time = timed(args.clients, [lambda n=n: odk.submit(xmls[n]) for n in range(args.count)])
        after = shell_json(env, COUNTS % {"slug": SLUG, "structure": STRUCTURE})
    api_rate, odk_rate = args.count / api_time, args.count / odk_time
    print(
        f"{args.count} activities of 20 attendees and 6 tallies, {args.clients} clients, rounds of {args.round}"
    )
    print(f"JSON API (3 requests each): {api_time:.1f} s, {api_rate:.1f} activities/s")
    print(f"OpenRosa (1 submission each): {odk_time:.1f} s, {odk_rate:.1f} activities/s")
    print(f"throughput OpenRosa ÷ API: {odk_rate / api_rate:.2f} (goal ≥ 0.8)")
    print(
        f"resending all {args.count}: {resend_time:.1f} s = {resend_time / odk_time:.2f} × the first pass (goal ≤ 0.5)"
    )
    print(
        f"activities, attendance, tallies before the resend {before}, after {after}: "
        + ("nothing added" if before == after else "ROWS ADDED")
    )


if __name__ == "__main__":
    main()
