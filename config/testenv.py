"""Loaded by pytest (`-p config.testenv`) before Django: tests use the development settings.

pytest-django turns DEBUG off while the tests run; the production settings are checked by
`check --deploy` in CI.
"""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
