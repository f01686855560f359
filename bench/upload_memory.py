"""Peak memory of a gunicorn worker receiving one import upload (docs/security.md 33), per file size.

    .venv/bin/python bench/upload_memory.py --sizes 10 100      # MB; SQLite (DATABASE_URL for PostgreSQL)

For each size, a fresh demo database and a gunicorn with one sync worker (core/tests/live.py, port
TWIZA_LIVE_PORT); the coordinator uploads a CSV of that size to the import page. Printed: the worker's
resident memory before, its peak (VmHWM) after the upload, and the growth per MB of file, so two
sizes show whether memory grows with the file.
"""

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests  # noqa: E402

from core.tests.live import PASSWORD, SLUG, serve  # noqa: E402


class InsecureSession(requests.Session):
    """Sends back the server's `Secure` cookies over plain HTTP (a production server on 127.0.0.1)."""

    def send(self, request, **kwargs) -> Any:
        response = super().send(request, **kwargs)
        for cookie in self.cookies:
            cookie.secure = False
        return response


def _worker(master: int) -> int:
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == master:
            return int(pid)
    raise RuntimeError("no gunicorn worker")


def _memory(pid: int) -> dict:
    """VmRSS and VmHWM (peak) of a process, in MB."""
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {
        k: int(v.split()[0]) / 1024
        for k, v in (line.split(":", 1) for line in lines)
        if k in ("VmRSS", "VmHWM")
    }


def _csv(path: Path, megabytes: int) -> None:
    with path.open("w") as out:
        out.write("_uuid,date,sexe,age,commentaire\n")
        size, n = 0, 0
        while size < megabytes * 1024 * 1024:
            line = f"uuid-{n:010d},2024-05-01,F,21,{'x' * 60}\n"
            out.write(line)
            size, n = size + len(line), n + 1


def _csrf_token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if found is None:
        raise SystemExit("No CSRF token on the page: is this Twiza's server?")
    return found.group(1)


def measure(megabytes: int) -> None:
    with tempfile.TemporaryDirectory(prefix="twiza-upload-bench-") as scratch_dir:
        scratch = Path(scratch_dir)
        _csv(scratch / "upload.csv", megabytes)
        with serve(scratch, workers=1, threads=1, production=True) as (_env, base, master):
            session = InsecureSession()
            page = session.get(base + "/comptes/connexion/")
            token = _csrf_token(page.text)
            session.post(
                base + "/comptes/connexion/",
                data={"csrfmiddlewaretoken": token, "username": "coordination", "password": PASSWORD},
                allow_redirects=False,
            )
            page = session.get(f"{base}/p/{SLUG}/imports/")
            token = _csrf_token(page.text)
            worker = _worker(master)
            Path(f"/proc/{worker}/clear_refs").write_text("5")  # the peak restarts from now (Linux)
            before = _memory(worker)
            started = time.monotonic()
            with (scratch / "upload.csv").open("rb") as upload:
                answer = session.post(
                    f"{base}/p/{SLUG}/imports/",
                    data={"csrfmiddlewaretoken": token, "kind": "formation"},
                    files={"file": ("upload.csv", upload, "text/csv")},
                    allow_redirects=False,
                )
            after = _memory(worker)
    growth = after["VmHWM"] - before["VmHWM"]
    print(
        f"{megabytes} MB: HTTP {answer.status_code} in {time.monotonic() - started:.1f} s; worker "
        f"{before['VmRSS']:.0f} MB before, peak {after['VmHWM']:.0f} MB: +{growth:.0f} MB "
        f"({growth / megabytes:.1f} MB per MB of file)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100])
    for size in parser.parse_args().sizes:
        measure(size)
