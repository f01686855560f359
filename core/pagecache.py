"""Public pages served to visitors from a cache that every write to the database invalidates.

A page is kept in each process's memory (fast; bounded by `PAGE_CACHE_ENTRIES`) under its address,
its language and the current *generation*: a random token kept in the shared database cache
(`twiza_cache`), replaced after every committed write by any process — web worker, task worker,
management command. A new token makes every kept page stale at once: the process that wrote sees it
at once, every other process within `CHECK_SECONDS` (each reads the token again at most that often,
so a visitor's request usually touches no database at all). A new figure is thus shown within half a
second of its write in every worker. Coarse, but simple; why not per-page invalidation or Redis:
docs/decisions.md, "Public pages cached".

Only for visitors: a request carrying a session or messages cookie (a signed-in user, or a visitor
in the middle of a form) is neither served from nor stored in the cache, and a page that used a CSRF
token or set a cookie is never kept. Kept pages are gzip-compressed once: they hold no secret, so
compression discloses nothing (BREACH); no other page is compressed.
"""

import contextlib
import gzip
import hashlib
import re
import time
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import DatabaseError, connection, connections
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

GENERATION_KEY = "twiza:page-generation"
CHECK_SECONDS = 0.5
_WRITE = re.compile(r'\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)
# Writes that change no public page: sessions, the cache itself (throttles, the token), login
# attempts, the task queue's heartbeats, the record of applied migrations.
_UNWATCHED = ("twiza_cache", "django_session", "axes_", "django_tasks", "django_migrations")
_pages = LocMemCache("twiza-pages", {"MAX_ENTRIES": settings.PAGE_CACHE_ENTRIES})
_seen: dict[str, Any] = {"token": "", "at": -CHECK_SECONDS}  # this process's last reading of the token


def generation() -> str:
    """The current generation's token, read again from the shared cache at most every CHECK_SECONDS
    (made there if the cache lost it: a new one never repeats an old one)."""
    now = time.monotonic()
    if now - _seen["at"] >= CHECK_SECONDS:
        token = caches["default"].get_or_set(GENERATION_KEY, lambda: uuid.uuid4().hex, None)
        _seen.update(token=token, at=now)
    return _seen["token"]


def new_generation() -> None:
    """Makes every kept page stale: in this process at once, in the others within CHECK_SECONDS."""
    token = uuid.uuid4().hex
    _seen.update(token=token, at=time.monotonic())
    # No cache table yet (a data migration of the first `migrate`): no page is kept either, and a
    # write must never fail for the cache's sake.
    with contextlib.suppress(DatabaseError):
        caches["default"].set(GENERATION_KEY, token, None)


def _pending(conn) -> bool:
    return any(func is new_generation for _ids, func, _robust in conn.run_on_commit)


def _renew(conn) -> None:
    conn.twiza_pages_stale = False
    new_generation()


def watch_writes(execute, sql, params, many, context) -> Any:
    """Database execute wrapper: after a write, a new generation once it is committed.

    In a transaction, when it commits. In autocommit mode the write is committed at once, but its
    caller may still read the statement's rows (INSERT … RETURNING): no other statement may run on
    the connection before it is done, so the new generation waits for the connection's next
    statement, or the end of the request or of the process, whichever comes first."""
    conn = context["connection"]
    if getattr(conn, "twiza_pages_stale", False) and not conn.in_atomic_block:
        _renew(conn)
    result = execute(sql, params, many, context)
    found = settings.PAGE_CACHE and _WRITE.match(sql)
    if found and not found.group(1).startswith(_UNWATCHED):
        if not conn.in_atomic_block:
            conn.twiza_pages_stale = True
        elif not _pending(conn):
            conn.on_commit(new_generation)
    return result


def renew_if_stale(**kwargs) -> None:
    """At the end of a request or of the process: the new generation an autocommit write left due."""
    for conn in connections.all(initialized_only=True):
        if getattr(conn, "twiza_pages_stale", False) and not conn.in_atomic_block:
            _renew(conn)


def install(sender=None, connection=connection, **kwargs) -> None:
    """Watches the writes of a new database connection (the `connection_created` signal)."""
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


def for_visitors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serves `view`'s page to visitors from the cache (GET, HEAD); everyone else gets it as usual."""

    @wraps(view)
    def cached_view(request, *args, **kwargs) -> HttpResponse:
        if (
            not settings.PAGE_CACHE
            or request.method not in ("GET", "HEAD")
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or "messages" in request.COOKIES
        ):
            return view(request, *args, **kwargs)
        address = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"{generation()}:{get_language()}:{address}"
        kept = _pages.get(key)
        if kept is None:
            response = view(request, *args, **kwargs)
            if (
                response.status_code != 200
                or response.streaming
                or response.cookies
                or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            ):
                return response
            kept = (response["Content-Type"], response.content, gzip.compress(response.content, mtime=0))
            _pages.set(key, kept, None)
        content_type, plain, packed = kept
        zipped = "gzip" in request.headers.get("Accept-Encoding", "")
        response = HttpResponse(packed if zipped else plain, content_type=content_type)
        if zipped:
            response["Content-Encoding"] = "gzip"
        patch_vary_headers(response, ["Accept-Encoding", "Cookie"])
        return response

    return cached_view
