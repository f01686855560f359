"""Cross-cutting middleware: a request id for logs and audit rows, no caching of private pages, and
writes retried when PostgreSQL makes them lose a deadlock."""

import logging
import random
import threading
import time
import uuid

from django.db import OperationalError, connection

_local = threading.local()


def current_request_id() -> str:
    """The id of the request being served in this thread, or "-" outside a request."""
    return getattr(_local, "request_id", "-")


class RequestIdMiddleware:
    """Gives every request an id (kept from a trusted proxy's X-Request-ID when well formed)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request.request_id = given if given.isalnum() and len(given) <= 64 else uuid.uuid4().hex
        _local.request_id = request.request_id
        try:
            response = self.get_response(request)
        finally:
            _local.request_id = "-"
        response["X-Request-ID"] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = current_request_id()
        return True


class NoStoreForAuthenticatedMiddleware:
    """SECURITY.md 19: pages served to a signed-in user are never stored by a browser or proxy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response


# PostgreSQL's codes for "run the transaction again": serialisation failure and deadlock detected.
RETRYABLE_SQLSTATES = {"40001", "40P01"}


class RetryOnConflictMiddleware:
    """SECURITY.md 28: a write request whose transaction PostgreSQL aborted as a deadlock's victim (or
    a serialisation failure) is run again, up to 3 times, instead of answering 500.

    Why the whole view: deadlocks come from the engine's multi-row upserts and the actions' row locks,
    which almost any write reaches, and only the outermost transaction can be run again — the view's,
    since requests are not atomic (no ATOMIC_REQUESTS). A view writes through one atomic action (house
    rule), so running it again repeats only what was rolled back. Must be the last middleware: it
    calls the view itself, after every other middleware's `process_view` (CSRF).
    """

    ATTEMPTS = 3

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in ("GET", "HEAD", "OPTIONS") or connection.vendor != "postgresql":
            return None
        for attempt in range(1, self.ATTEMPTS + 1):
            try:
                return view_func(request, *view_args, **view_kwargs)
            except OperationalError as exc:
                sqlstate = getattr(exc.__cause__, "sqlstate", None)
                if (
                    sqlstate not in RETRYABLE_SQLSTATES
                    or attempt == self.ATTEMPTS
                    or connection.in_atomic_block
                ):
                    raise
                logging.getLogger(__name__).warning(
                    "transaction aborted (%s), attempt %d: run again", sqlstate, attempt
                )
                # Uploaded files are read again from their start.
                for _name, files in request.FILES.lists():
                    for file in files:
                        file.seek(0)
                time.sleep(random.uniform(0.01, 0.05) * attempt)  # jitter: the two losers don't meet again
