"""docs/security.md 30: with DEBUG off the settings refuse the demo's keys and weak ones; a deploy check
says why."""

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks

from core.checks import DEMO_FIELD_ENCRYPTION_KEY, DEMO_FIELD_INDEX_KEY, DEMO_SECRET_KEY

GOOD = {
    "SECRET_KEY": "7Hk2-qP9vX" * 6,
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "FIELD_INDEX_KEY": "index-Zr4Wq8Lm2Tn6Yb0Kc5Vd9Hs3Fe7Gu1",
}


def _start(**keys):
    """Imports the settings with DEBUG off and these keys: (return code, stderr)."""
    env = {**os.environ, "DEBUG": "0", "ALLOWED_HOSTS": "twiza.example.org", **GOOD, **keys}
    done = subprocess.run(  # noqa: S603 - our own settings module
        [sys.executable, "-c", "import config.settings"], env=env, capture_output=True, text=True
    )
    return done.returncode, done.stderr


def test_production_starts_with_keys_of_its_own():
    assert _start() == (0, "")


# A fixed key: a parameter is part of the test's id, which every pytest-xdist worker must collect alike.
ANOTHER_KEY = "SLm_8PZzYkEKsylnxwFVRldhkCbDg6Bz4objZS4xg70="


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("SECRET_KEY", DEMO_SECRET_KEY, "SECRET_KEY is the demo's"),
        ("SECRET_KEY", "django-insecure-" + "a1b2c3d4e5" * 5, "SECRET_KEY is the demo's"),
        ("SECRET_KEY", "short-but-random-9f8e7d", "SECRET_KEY is too weak"),
        ("SECRET_KEY", "x" * 60, "SECRET_KEY is too weak"),
        ("FIELD_ENCRYPTION_KEYS", DEMO_FIELD_ENCRYPTION_KEY, "FIELD_ENCRYPTION_KEYS key 1 is the demo's"),
        (
            "FIELD_ENCRYPTION_KEYS",
            f"{ANOTHER_KEY},{DEMO_FIELD_ENCRYPTION_KEY}",
            "FIELD_ENCRYPTION_KEYS key 2 is the demo's",
        ),
        ("FIELD_ENCRYPTION_KEYS", "c2hvcnQ=", "FIELD_ENCRYPTION_KEYS key 1 is not a random Fernet key"),
        ("FIELD_ENCRYPTION_KEYS", "A" * 43 + "=", "FIELD_ENCRYPTION_KEYS key 1 is not a random Fernet key"),
        ("FIELD_INDEX_KEY", DEMO_FIELD_INDEX_KEY, "FIELD_INDEX_KEY is the demo's"),
        ("FIELD_INDEX_KEY", "k", "FIELD_INDEX_KEY is too weak"),
        ("FIELD_INDEX_KEY", GOOD["SECRET_KEY"], "FIELD_INDEX_KEY must differ from SECRET_KEY"),
    ],
)
def test_production_refuses_a_demo_or_weak_key_and_says_which(name, value, reason):
    code, stderr = _start(**{name: value})
    assert code != 0
    assert "Refusing to start with DEBUG off" in stderr and reason in stderr
    if len(value) >= 16:
        assert value not in stderr  # a key is never printed


def _deploy_errors():
    return [m.msg for m in run_checks(include_deployment_checks=True) if m.id == "twiza.E001"]


def test_the_deploy_check_names_every_demo_key(settings):
    # The test settings are the development ones: the demo's keys.
    settings.SECRET_KEY = DEMO_SECRET_KEY
    settings.FIELD_ENCRYPTION_KEYS = [DEMO_FIELD_ENCRYPTION_KEY]
    settings.FIELD_INDEX_KEY = DEMO_FIELD_INDEX_KEY
    assert _deploy_errors() == [
        "SECRET_KEY is the demo's (public) key: generate your own.",
        "FIELD_ENCRYPTION_KEYS key 1 is the demo's (public) key.",
        "FIELD_INDEX_KEY is the demo's (public) key: generate your own.",
    ]


def test_the_deploy_check_passes_keys_of_its_own(settings):
    settings.SECRET_KEY = GOOD["SECRET_KEY"]
    settings.FIELD_ENCRYPTION_KEYS = [GOOD["FIELD_ENCRYPTION_KEYS"]]
    settings.FIELD_INDEX_KEY = GOOD["FIELD_INDEX_KEY"]
    assert _deploy_errors() == []
