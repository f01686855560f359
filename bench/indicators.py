"""Benchmark of the indicator engine (issue 4). Not a test: it prints figures and ratios, never fails CI.

    .venv/bin/python bench/indicators.py                       # SQLite, 10k and 100k attendance rows
    .venv/bin/python bench/indicators.py --sizes 10000 1000000 # the read-scaling ratio at 1M
    .venv/bin/python bench/indicators.py --postgres postgres://postgres@127.0.0.1:5432/postgres

Each size runs in its own process on a fresh database (SQLite files in bench/out/, or PostgreSQL
databases `twiza_bench_<rows>` created next to the given URL), all in the same run, and prints:
- the full rebuild vs hand-written SQL GROUP BYs computing the same values — the indicators for each
  year and each cumulative period through a year, and the annual report's totals the engine also
  keeps, all as of today (values must be equal), alternating, best of two;
- reading all indicators of a partnership through the API (time, query count) at each size;
- recording one attendance with the incremental upkeep vs without it;
- the dashboard of the partner commune's officer (disclosed) vs the coordinator's (issue 12).
"""

import argparse
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from partnerships.models import Partnership

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def parent(args) -> None:
    OUT.mkdir(exist_ok=True)
    results = {}
    for rows in args.sizes:
        if args.postgres:
            base = args.postgres.rsplit("/", 1)[0]
            url = f"{base}/twiza_bench_{rows}"
        else:
            path = OUT / f"bench-{rows}.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            url = f"sqlite:///{path}"
        env = {**os.environ, "DEBUG": "1", "DATABASE_URL": url, "AXES_ENABLED": "0"}
        cmd = [sys.executable, __file__, "--child", str(rows)]
        if args.postgres:
            cmd += ["--admin-url", args.postgres]
        print(f"… {rows:,} attendance rows ({'PostgreSQL' if args.postgres else 'SQLite'})", flush=True)
        out = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
        if out.returncode:
            print(out.stdout, out.stderr)
            sys.exit(out.returncode)
        results[rows] = json.loads(out.stdout.strip().splitlines()[-1])
        r = results[rows]
        print(
            f"  generate {r['generate_s']:.1f} s · rebuild {r['rebuild_s']:.2f} s vs hand SQL {r['sql_s']:.2f} s "
            f"(ratio {r['rebuild_s'] / r['sql_s']:.2f}, values identical: {r['identical']}) · "
            f"API read {r['read_ms']:.1f} ms in {r['read_queries']} queries · "
            f"attendance {r['write_with_ms']:.2f} ms with upkeep vs {r['write_without_ms']:.2f} ms without "
            f"(ratio {r['write_with_ms'] / r['write_without_ms']:.2f}) · dashboard jette "
            f"{r['dashboard_jette_ms']:.1f} ms vs coordination {r['dashboard_coordination_ms']:.1f} ms",
            flush=True,
        )
    small, large = min(results), max(results)
    print("\nSummary")
    print(
        f"  rebuild ÷ hand-written SQL at {large:,}: {results[large]['rebuild_s'] / results[large]['sql_s']:.2f} (target ≤ 1.5)"
    )
    print(
        f"  API read at {large:,} ÷ at {small:,}: {results[large]['read_ms'] / results[small]['read_ms']:.2f} "
        f"(target ≤ 1.2); queries {results[small]['read_queries']} and {results[large]['read_queries']} (target ≤ 10, equal)"
    )
    print(
        f"  one attendance with upkeep ÷ without at {large:,}: "
        f"{results[large]['write_with_ms'] / results[large]['write_without_ms']:.2f} (target ≤ 2)"
    )
    print(
        f"  dashboard of the partner (jette) ÷ the coordinator's at {large:,}: "
        f"{results[large]['dashboard_jette_ms'] / results[large]['dashboard_coordination_ms']:.2f} (target ≤ 1.3)"
    )


def child(rows, admin_url=None) -> None:
    if admin_url:
        import psycopg

        name = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
        with psycopg.connect(admin_url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    partnership = generate(rows)
    generate_s = time.perf_counter() - started
    report = {"generate_s": generate_s}
    report.update(measure_rebuild(partnership))
    report.update(measure_read(partnership))
    report.update(measure_dashboard(partnership))
    report.update(measure_write(partnership))
    print(json.dumps(report))


def generate(rows: int, partnerships: int = 3, seed: int = 2026) -> "Partnership":
    """Several partnerships with the roadmap's framework, people, activities, attendance and tallies."""

    from django.db import connection, transaction
    from django.utils import timezone

    from activities.models import Activity, Attendance, Tally
    from demo import programme as programme_demo
    from demo.world import load_roadmap
    from partnerships.models import Network, Organisation, Partnership
    from people.models import Person, TargetGroup

    rng = random.Random(seed)
    today = timezone.localdate()
    first = load_roadmap()
    network = Network.objects.get(slug="brulocalis")
    commune = Organisation.objects.get(slug="belfaa")
    all_p = [first]
    for i in range(1, partnerships):
        p = Partnership.objects.create(
            network=network,
            slug=f"bench-{i}",
            name=f"Bench {i}",
            start_year=2022,
            end_year=2026,
            code_prefix=f"B{i}",
        )
        p.communes.set([commune])
        for s in first.structures.all():
            s.pk, s.partnership = None, p
            s.save()
        programme_demo.load_framework(p)
        all_p.append(p)
    groups = list(TargetGroup.objects.values_list("id", flat=True))
    kinds = [k for k, _ in Activity.Kind.choices]
    per_p = rows // partnerships
    with transaction.atomic():
        for p in all_p:
            structures = list(p.structures.values_list("id", flat=True))
            n_people = max(50, per_p // 20)
            n_acts = max(20, per_p // 25)
            Person.objects.bulk_create(
                [
                    Person(
                        partnership=p,
                        number=i + 1,
                        code=f"{p.code_prefix}-{i + 1:06d}",
                        sex=rng.choice("FM"),
                        birth_year=rng.randint(1960, 2010),
                        consent=True,
                    )
                    for i in range(n_people)
                ],
                batch_size=5000,
            )
            person_ids = list(Person.objects.filter(partnership=p).values_list("id", flat=True))
            through = Person.target_groups.through
            through.objects.bulk_create(
                [
                    through(person_id=pid, targetgroup_id=g)
                    for pid in person_ids
                    for g in rng.sample(groups, rng.randint(1, 2))
                ],
                batch_size=5000,
            )
            Activity.objects.bulk_create(
                [
                    Activity(
                        partnership=p,
                        structure_id=rng.choice(structures + [None]),
                        kind=rng.choice(kinds),
                        title=f"A{i}",
                        date=datetime.date(2022, 1, 1) + datetime.timedelta(days=rng.randint(0, 1825)),
                    )
                    for i in range(n_acts)
                ],
                batch_size=5000,
            )
            # Activities run to the end of 2026: those after today are planned, with no attendance
            # nor tallies (refused before an activity's date), and must not count yet.
            acts = list(Activity.objects.filter(partnership=p, date__lte=today).values_list("id", "date"))
            per_act = max(1, per_p // len(acts))
            batch = []
            for act_id, day in acts:
                for pid in rng.sample(person_ids, min(per_act, len(person_ids))):
                    batch.append(Attendance(activity_id=act_id, person_id=pid, date=day))
                if len(batch) > 20000:
                    Attendance.objects.bulk_create(batch, batch_size=10000)
                    batch = []
            Attendance.objects.bulk_create(batch, batch_size=10000)
            Tally.objects.bulk_create(
                [
                    Tally(activity_id=a, sex=s, count=rng.randint(0, 40), date=d, target_group_id=None)
                    for a, d in acts[: len(acts) // 3]
                    for s in "FMX"
                ],
                batch_size=5000,
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return first


def measure_rebuild(partnership) -> dict[str, float | bool]:
    from django.db import connection, transaction

    from indicators import engine
    from partnerships.models import Partnership
    from programme.models import PROGRAMME

    rebuild_s, sql_s = [], []
    for _round in range(2):  # alternating, best of two: the first reader of a cold cache pays for both
        started = time.perf_counter()
        with transaction.atomic():
            engine.rebuild()
        rebuild_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        theirs = hand_written_sql(connection)
        sql_s.append(time.perf_counter() - started)
    # PROGRAMME is an alias of the last cumulative period in values_of: compared through the latter.
    ours = {
        (i, period, sex): v
        for p in Partnership.objects.all()
        for (i, period, sex), v in engine.values_of(p).items()
        if v and period != PROGRAMME
    }
    ours.update(report_totals_of_engine())
    return {"rebuild_s": min(rebuild_s), "sql_s": min(sql_s), "identical": ours == theirs}


def periods(d, today) -> Iterator[tuple[int, datetime.date, datetime.date]]:
    """(period, first day, day after the last) of each year and each cumulative period through a year
    of an indicator, cut at today: nothing dated after today counts."""

    from programme.models import cumulative

    tomorrow = today + datetime.timedelta(days=1)
    for year in range(d.start_year, d.end_year + 1):
        end = min(datetime.date(year + 1, 1, 1), tomorrow)
        for period, start in (
            (year, datetime.date(year, 1, 1)),
            (cumulative(year), datetime.date(d.start_year, 1, 1)),
        ):
            if start < end:
                yield period, start, end


def hand_written_sql(connection) -> dict:
    """The same values by plain GROUP BYs over the raw rows, one query per indicator and period."""
    from django.utils import timezone

    from indicators import engine
    from partnerships.models import Partnership

    values: dict[tuple, int] = {}
    today = timezone.localdate()
    with connection.cursor() as cursor:
        for p in Partnership.objects.all():
            for d in engine.definitions(p.pk):
                for period, start, end in periods(d, today):
                    params = [p.pk, start, end]
                    where = engine._where(d, params)
                    if d.source == "people":
                        sql = (
                            "SELECT p.sex, COUNT(DISTINCT att.person_id) FROM activities_attendance att "
                            "JOIN activities_activity a ON a.id = att.activity_id JOIN people_person p ON p.id = att.person_id "
                            f"WHERE a.partnership_id = %s AND att.date >= %s AND att.date < %s{where} GROUP BY p.sex"
                        )
                    elif d.source == "participations":
                        sql = (
                            "SELECT p.sex, COUNT(*) FROM activities_attendance att "
                            "JOIN activities_activity a ON a.id = att.activity_id JOIN people_person p ON p.id = att.person_id "
                            f"WHERE a.partnership_id = %s AND att.date >= %s AND att.date < %s{where} GROUP BY p.sex"
                        )
                    else:
                        sql = None
                    if sql:
                        cursor.execute(sql, params)
                        for sex, n in cursor.fetchall():
                            values[(d.id, period, sex)] = values.get((d.id, period, sex), 0) + n
                    if d.source in ("participations", "activities"):
                        tparams = [p.pk, start, end]
                        twhere = engine._where(
                            engine.Definition(d.id, d.source, d.kinds, d.structures, frozenset(), 0, 0),
                            tparams,
                        )
                        if d.source == "activities":
                            cursor.execute(
                                "SELECT COUNT(*) FROM activities_activity a WHERE a.partnership_id = %s "
                                f"AND a.date >= %s AND a.date < %s{twhere}",
                                tparams,
                            )
                            n = cursor.fetchone()[0]
                            if n:
                                values[(d.id, period, "X")] = n
                        else:
                            group = ""
                            if d.groups:
                                group = f" AND t.target_group_id IN (SELECT id FROM people_targetgroup WHERE code IN ({', '.join(['%s'] * len(d.groups))}))"
                                tparams += sorted(d.groups)
                            cursor.execute(
                                "SELECT t.sex, SUM(t.count) FROM activities_tally t JOIN activities_activity a ON a.id = t.activity_id "
                                f"WHERE a.partnership_id = %s AND a.date >= %s AND a.date < %s{twhere}{group} GROUP BY t.sex",
                                tparams,
                            )
                            for sex, n in cursor.fetchall():
                                if n:
                                    values[(d.id, period, sex)] = values.get((d.id, period, sex), 0) + n
        values.update(hand_written_report_totals(cursor, today))
    return {k: v for k, v in values.items() if v}


def report_totals_of_engine() -> dict:
    """The annual report's totals the engine keeps (issue 7), as of today (`engine.activity_totals`,
    what the report reads), keyed as `hand_written_report_totals`."""
    from indicators import engine
    from partnerships.models import Partnership

    return {
        ("total", p.pk, year, r, k): tuple(sums)
        for p in Partnership.objects.all()
        for year in p.years
        for (r, k), sums in engine.activity_totals(p, year).items()
    }


def hand_written_report_totals(cursor, today) -> dict:
    """The report's totals per (partnership, year, result or none, kind) — activities, then people by
    sex (tallies and attendance) — by plain GROUP BYs over the raw rows dated by today, summed per
    year here."""
    totals: dict[tuple, list[int]] = {}

    def add(rows, column) -> None:
        for pid, day, result_id, kind, *rest in rows:
            key = ("total", pid, int(str(day)[:4]), result_id, kind)
            row = totals.setdefault(key, [0, 0, 0, 0])
            if column is None:
                row[0] += rest[0]
            else:
                sex, n = rest
                row[1 + "FMX".index(sex)] += n or 0

    linked = "activities_activity a LEFT JOIN activities_activity_results r ON r.activity_id = a.id"
    cursor.execute(
        f"SELECT a.partnership_id, a.date, r.result_id, a.kind, COUNT(*) FROM {linked} WHERE a.date <= %s "
        "GROUP BY 1, 2, 3, 4",
        [today],
    )
    add(cursor.fetchall(), None)
    cursor.execute(
        f"SELECT a.partnership_id, a.date, r.result_id, a.kind, t.sex, SUM(t.count) FROM {linked} "
        "JOIN activities_tally t ON t.activity_id = a.id WHERE a.date <= %s GROUP BY 1, 2, 3, 4, 5",
        [today],
    )
    add(cursor.fetchall(), "tally")
    cursor.execute(
        f"SELECT a.partnership_id, a.date, r.result_id, a.kind, p.sex, COUNT(*) FROM {linked} "
        "JOIN activities_attendance att ON att.activity_id = a.id JOIN people_person p ON p.id = att.person_id "
        "WHERE a.date <= %s GROUP BY 1, 2, 3, 4, 5",
        [today],
    )
    add(cursor.fetchall(), "attendance")
    return {k: tuple(v) for k, v in totals.items() if any(v)}


def measure_read(partnership) -> dict[str, float]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import ApiToken, User

    token = ApiToken.issue(User.objects.get(username="coordination"))
    client = Client()
    url = f"/api/v1/partnerships/{partnership.slug}/indicators?year=2025"
    headers = {"Authorization": f"Bearer {token}"}
    client.get(url, headers=headers)  # warm up
    timings = []
    for _ in range(30):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url, headers=headers)
    return {"read_ms": 1000 * statistics.median(timings), "read_queries": len(queries.captured_queries)}


def measure_dashboard(partnership, rounds: int = 15) -> dict[str, float]:
    """The cost of disclosure: the dashboard of the partner commune's officer (`jette`, every
    people-counting indicator disclosed over all its periods) ÷ the coordinator's (shown as they are),
    same page, interleaved rounds, medians."""
    from django.test import Client

    from accounts.models import User

    clients = {}
    for name in ("coordination", "jette"):
        clients[name] = Client()
        clients[name].force_login(User.objects.get(username=name))
    url = f"/p/{partnership.slug}/tableau-de-bord/?annee=2025"
    timings: dict[str, list[float]] = {name: [] for name in clients}
    for _ in range(rounds + 1):
        for name, client in clients.items():
            started = time.perf_counter()
            response = client.get(url)
            timings[name].append(time.perf_counter() - started)
            assert response.status_code == 200, (name, response.status_code)
    return {f"dashboard_{name}_ms": 1000 * statistics.median(t[1:]) for name, t in timings.items()}


def measure_write(partnership, n: int = 150) -> dict[str, float]:
    from django.utils import timezone

    from activities import actions
    from activities.models import Activity
    from indicators import engine
    from people.models import Person

    held = Activity.objects.filter(partnership=partnership, date__lte=timezone.localdate())
    acts = list(held.order_by("?")[:n])
    people = list(Person.objects.filter(partnership=partnership).order_by("?")[: n * 2])
    real = engine.attendance_added

    def run(pairs, upkeep: bool) -> float:
        engine.attendance_added = real if upkeep else (lambda activity, people: None)
        timings = []
        for act, person in pairs:
            if act.attendances.filter(person=person).exists():
                continue
            started = time.perf_counter()
            actions.record_attendance(act, [person])
            timings.append(time.perf_counter() - started)
        engine.attendance_added = real
        return 1000 * statistics.median(timings)

    with_ms, without_ms = [], []
    for i in range(3):  # interleaved rounds, so drift hits both alike
        with_ms.append(run(list(zip(acts[i::3], people[2 * i :: 6], strict=False)), True))
        without_ms.append(run(list(zip(acts[i::3], people[2 * i + 1 :: 6], strict=False)), False))
    return {"write_with_ms": statistics.median(with_ms), "write_without_ms": statistics.median(without_ms)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000])
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server (default: SQLite)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--admin-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.admin_url)
    else:
        parent(args)
