"""docs/security.md 30: the keys and secrets production refuses — the demo's (public in this repository) and
weak ones. One rule, applied twice: `config/settings.py` refuses to start with `DEBUG` off, and the
deploy check (`manage.py check --deploy`) says why whatever `DEBUG` is.

No Django import here beyond the checks framework: the settings module imports this one.
"""

import base64
import binascii
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core import checks

if TYPE_CHECKING:  # for the type only: nothing more is imported when the settings load
    from django.apps import AppConfig

# The development and demo values of config/settings.py: anyone can read them here.
DEMO_SECRET_KEY = "dev-only-insecure-key-change-me-" + "x" * 32
DEMO_FIELD_ENCRYPTION_KEY = "ZGV2LW9ubHktZmllbGQta2V5LWRvLW5vdC11c2UtISE="
DEMO_FIELD_INDEX_KEY = "dev-only-index-key"

# Django's own rule for SECRET_KEY (security.W009); an HMAC key as long as its SHA-256 output.
SECRET_KEY_MIN_LENGTH = 50
INDEX_KEY_MIN_LENGTH = 32
MIN_DISTINCT_CHARACTERS = 5


def weak_secrets(secret_key: str, encryption_keys: list[str], index_key: str) -> list[str]:
    """Why each key is refused, one sentence per problem (empty when all three are fit for production)."""
    problems = []
    if secret_key == DEMO_SECRET_KEY or secret_key.startswith("django-insecure-"):
        problems.append("SECRET_KEY is the demo's (public) key: generate your own.")
    elif len(secret_key) < SECRET_KEY_MIN_LENGTH or len(set(secret_key)) < MIN_DISTINCT_CHARACTERS:
        problems.append(
            f"SECRET_KEY is too weak: at least {SECRET_KEY_MIN_LENGTH} characters, "
            f"{MIN_DISTINCT_CHARACTERS} of them different."
        )
    if not encryption_keys:
        problems.append("FIELD_ENCRYPTION_KEYS is empty.")
    for position, key in enumerate(encryption_keys, start=1):
        if key == DEMO_FIELD_ENCRYPTION_KEY:
            problems.append(f"FIELD_ENCRYPTION_KEYS key {position} is the demo's (public) key.")
            continue
        try:
            raw = base64.urlsafe_b64decode(key.encode())
        except (binascii.Error, ValueError):
            raw = b""
        # A Fernet key is 32 random bytes; a run of few distinct bytes (zeros, a pattern) is no key.
        if len(raw) != 32 or len(set(raw)) < 16:
            problems.append(
                f"FIELD_ENCRYPTION_KEYS key {position} is not a random Fernet key (32 bytes, URL-safe "
                "base64): generate it with Fernet.generate_key()."
            )
    if index_key == DEMO_FIELD_INDEX_KEY:
        problems.append("FIELD_INDEX_KEY is the demo's (public) key: generate your own.")
    elif len(index_key) < INDEX_KEY_MIN_LENGTH or len(set(index_key)) < MIN_DISTINCT_CHARACTERS:
        problems.append(
            f"FIELD_INDEX_KEY is too weak: at least {INDEX_KEY_MIN_LENGTH} characters, "
            f"{MIN_DISTINCT_CHARACTERS} of them different."
        )
    elif index_key == secret_key:
        problems.append("FIELD_INDEX_KEY must differ from SECRET_KEY (independent keys).")
    return problems


@checks.register(checks.Tags.security, deploy=True)
def check_secrets(app_configs: "Sequence[AppConfig] | None", **kwargs: Any) -> list[checks.CheckMessage]:
    from django.conf import settings

    return [
        checks.Error(problem, hint="See README.md, environment variables.", id="twiza.E001")
        for problem in weak_secrets(
            settings.SECRET_KEY, list(settings.FIELD_ENCRYPTION_KEYS), settings.FIELD_INDEX_KEY
        )
    ]
