"""Loaded by pytest (`-p config.testenv`) before Django: tests use the development settings.

pytest-django turns DEBUG off while the tests run; the production settings are checked by
`check --deploy` in CI.
"""

import os

os.environ.setdefault("DEBUG", "1")

# Good-practice documents written by tests go to a scratch folder, never into the working tree.
if "UPLOAD_ROOT" not in os.environ:
    import tempfile

    os.environ["UPLOAD_ROOT"] = tempfile.mkdtemp(prefix="twiza-test-uploads-")
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
# Public pages are cached only in the tests that test the cache (core/tests/test_pagecache.py).
os.environ.setdefault("PAGE_CACHE", "0")
