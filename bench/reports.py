"""Benchmark of imports and of the annual PDF (issue 7). Not a test: it prints figures and ratios.

    .venv/bin/python bench/reports.py                 # 100k-row Kobo-like XLSX, SQLite
    .venv/bin/python bench/reports.py --rows 1000000  # the memory figure at 1M rows
    .venv/bin/python bench/reports.py --pdf-only      # only step 6, on the database of a previous run

In one run, on a fresh SQLite database in bench/out/ with the demo loaded:
1. a generated Kobo-like XLSX (`group/field` headers, `_uuid`, one 0/1 column per result choice);
2. baseline: openpyxl's read-only raw read of that file (rows/s);
3. the import end to end as the task runs it (`actions.import_file`: streamed read, checks, bulk
   writes, indicator recount, in one transaction), in rows/s, and the ratio to the baseline (goal ≥ 1.5);
4. the same file imported again: 0 rows created, and the ratio of its time to the first (goal ≤ 1.5);
5. the peak resident memory of the import process (goal ≤ 300 MB at 1M rows);
6. the annual PDF through the app vs WeasyPrint rendering the same HTML saved as a static file
   (goal ≤ 1.3).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
HEADERS = [
    "_uuid",
    "_submission_time",
    "activite/titre",
    "activite/date",
    "activite/structure",
    "activite/resultats/R1",
    "activite/resultats/R2",
    "comptage/femmes",
    "comptage/hommes",
    "comptage/non_precise",
    "comptage/public",
]


def generate(path: Path, rows: int) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("export")
    sheet.write_row(0, 0, HEADERS)
    structures = ["bureau-migrants", "centre-jour", "maison-creation"]
    for i in range(1, rows + 1):
        day = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}"
        sheet.write_row(
            i,
            0,
            [
                str(uuid.UUID(int=i)),
                f"{day}T10:00:00",
                f"Séance {i}",
                day,
                structures[i % 3],
                i % 2,
                (i + 1) % 2,
                i % 7,
                i % 5,
                i % 2,
                "migrants" if i % 3 == 0 else "",
            ],
        )
    book.close()


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.conf import settings

    django.setup()
    # The measured processes run as production does, DEBUG off (with DEBUG on, Django keeps the text
    # of every query in memory). They start with DEBUG on, since settings refuse the demo's public
    # keys (which its data was written with) when DEBUG is off, and switch it off here.
    if os.environ.get("BENCH_DEBUG_OFF") == "1":
        settings.DEBUG = False


def child(mode: str, path: str) -> None:
    setup_django()
    from accounts.models import User
    from partnerships.models import Partnership
    from reports import actions, kobo

    partnership = Partnership.objects.get(slug="belfaa-jette-2022-2026")
    user = User.objects.get(username="coordination")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    if mode == "openpyxl":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True)
        count = sum(1 for _row in book.worksheets[0].iter_rows(min_row=2, values_only=True))
        created = 0
    else:
        with open(path, "rb") as f:
            data = f.read()
        headers, _rows = kobo.read_table(data, path)
        outcome = actions.import_file(
            partnership,
            "reunion-info",
            user,
            partnership.structures.all(),
            data,
            path,
            kobo.guess_mapping(headers),
        )
        assert not outcome.problem_count, outcome.problems[:3]
        count, created = outcome.new + outcome.known, outcome.created
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "rows": count,
                "created": created,
                "s": seconds,
                "peak_mb": peak / 1024,
                "before_mb": rss_before / 1024,
            }
        )
    )


def pdf_child() -> None:
    setup_django()
    from weasyprint import CSS, HTML

    from accounts.models import User
    from partnerships.access import access_for
    from partnerships.models import Partnership
    from reports import annual, outputs

    partnership = Partnership.objects.get(slug="belfaa-jette-2022-2026")
    access = access_for(User.objects.get(username="coordination"), partnership)
    html = outputs.report_html(annual.annual_report(partnership, access, 2025))
    static = OUT / "rapport-2025.html"
    static.write_text(html, encoding="utf-8")
    outputs.report_pdf(annual.annual_report(partnership, access, 2025))  # warm-up (fonts, imports)
    app, raw = [], []
    for _ in range(3):
        t = time.perf_counter()
        outputs.report_pdf(annual.annual_report(partnership, access, 2025))
        app.append(time.perf_counter() - t)
        t = time.perf_counter()
        HTML(filename=str(static)).write_pdf(stylesheets=[CSS(filename=outputs.print_stylesheet())])
        raw.append(time.perf_counter() - t)
    print(json.dumps({"app_s": min(app), "static_s": min(raw)}))


def run(args_list, env) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, *args_list], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if out.returncode:
        print(out.stdout[-2000:], out.stderr[-4000:])
        sys.exit(out.returncode)
    return json.loads(out.stdout.strip().splitlines()[-1])


def environments(db: Path) -> tuple[dict, dict]:
    """The environment of the set-up commands, and the production-like one of the measured processes."""
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{db}", "AXES_ENABLED": "0"}
    # The measured processes: DEBUG switched off once Django is set up (setup_django).
    production = {**env, "BENCH_DEBUG_OFF": "1"}
    return env, production


def print_pdf(pdf: dict) -> None:
    print(
        f"annual PDF: app {pdf['app_s']:.2f} s vs static HTML {pdf['static_s']:.2f} s "
        f"→ ratio {pdf['app_s'] / pdf['static_s']:.2f} (goal ≤ 1.3)"
    )


def pdf_only() -> None:
    """Step 6 alone, on the database a full run left in bench/out/ (migrated first, as it may be older)."""
    db = OUT / "reports.sqlite3"
    if not db.exists():
        sys.exit(f"{db} is missing: run the full benchmark once first")
    env, production = environments(db)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    print_pdf(run(["--pdf"], production))


def parent(rows: int) -> None:
    OUT.mkdir(exist_ok=True)
    db = OUT / "reports.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    env, production = environments(db)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run(
        [sys.executable, "manage.py", "load_demo"], env=env, cwd=ROOT, check=True, capture_output=True
    )
    path = OUT / f"kobo-{rows}.xlsx"
    t = time.perf_counter()
    generate(path, rows)
    print(f"generated {rows:,} rows in {time.perf_counter() - t:.1f} s ({path.stat().st_size / 1e6:.1f} MB)")
    base = run(["--child", "openpyxl", str(path)], production)
    first = run(["--child", "import", str(path)], production)
    again = run(["--child", "import", str(path)], production)
    pdf = run(["--pdf"], production)
    base_rate, rate = base["rows"] / base["s"], first["rows"] / first["s"]
    print(f"openpyxl read-only raw read: {base_rate:,.0f} rows/s ({base['s']:.2f} s)")
    print(
        f"import end to end:           {rate:,.0f} rows/s ({first['s']:.2f} s, {first['created']:,} created) "
        f"→ ratio {rate / base_rate:.2f} (goal ≥ 1.5)"
    )
    print(
        f"re-import:                   {again['s']:.2f} s, {again['created']} created "
        f"→ ratio {again['s'] / first['s']:.2f} (goal ≤ 1.5)"
    )
    print(
        f"import peak memory:          {first['peak_mb']:.0f} MB at {rows:,} rows (goal ≤ 300 MB at 1M rows)"
    )
    print_pdf(pdf)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", nargs=2)
    parser.add_argument("--pdf", action="store_true")
    parser.add_argument("--pdf-only", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(*args.child)
    elif args.pdf:
        pdf_child()
    elif args.pdf_only:
        pdf_only()
    else:
        parent(args.rows)
