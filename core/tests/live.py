"""A real Twiza server for the `live` tests: gunicorn in a subprocess, on a fresh demo database — a
file SQLite database, or `<name>_live` beside the PostgreSQL database of DATABASE_URL."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
PORT = int(os.environ.get("TWIZA_LIVE_PORT", "8110"))
SLUG = "belfaa-jette-2022-2026"
PASSWORD = "a-live-test-password-2026"


def _database_url(tmp_path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp_path / 'live.sqlite3'}"
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_live"
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name))


def manage(env, *args) -> str:
    """Runs a management command against the server's database; its standard output."""
    done = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def shell_json(env, code: str):
    """Runs Python in `manage.py shell` and reads the JSON it prints last."""
    return json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])


@contextlib.contextmanager
def serve(tmp_path, workers: int, threads: int, production: bool = False, **environment):
    """Yields (env, base URL, gunicorn's pid) of a gunicorn serving a fresh demo database; stops it
    afterwards. `production`: the server runs with DEBUG off (keys of its own, plain HTTP), the
    demo being loaded with DEBUG on."""
    from cryptography.fernet import Fernet

    env = {
        **os.environ,
        "DEBUG": "1",
        # Keys of its own, the same for the demo's loading (DEBUG on) and a `production` server.
        "SECRET_KEY": os.urandom(32).hex(),
        "FIELD_INDEX_KEY": os.urandom(24).hex(),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": _database_url(tmp_path),
        "TWIZA_DEMO_PASSWORD": PASSWORD,
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "LOG_LEVEL": "WARNING",
        **environment,
    }
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_demo")
    server_env = {**env, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0"}
    if production:  # whitenoise's manifest is needed with DEBUG off (into STATIC_ROOT, git-ignored)
        manage(server_env, "collectstatic", "--noinput", "-v0")
    server_env = server_env if production else env
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            f"--bind=127.0.0.1:{PORT}",
            f"--workers={workers}",
            f"--threads={threads}",
            "--timeout=60",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=server_env,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{PORT}"
    try:
        for _ in range(100):
            try:
                if requests.get(base + "/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                assert server.poll() is None, server.stderr.read()[-3000:] if server.stderr else ""
                time.sleep(0.2)
        else:
            pytest.fail(f"the server did not answer on port {PORT}")
        yield env, base, server.pid
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
