"""Cross-cutting middleware: a request id for logs and audit rows, no caching of private pages, JSON
bodies bounded before anything reads them, and writes retried when PostgreSQL makes them lose a
deadlock."""

import json
import logging
import random
import threading
import time
import uuid

from django.db import OperationalError, connection
from django.http import HttpResponseBase, JsonResponse
from django.utils.translation import gettext as _

_local = threading.local()


def current_request_id() -> str:
    """The id of the request being served in this thread, made by the server, or "-" outside a request."""
    return getattr(_local, "request_id", "-")


def current_client_request_id() -> str:
    """The X-Request-ID the client (or a proxy) sent, when well formed; "" otherwise."""
    return getattr(_local, "client_request_id", "")


class RequestIdMiddleware:
    """Gives every request an id made here (docs/security.md 32): the append-only access log and the logs
    must not hold an id a client chose, or a client could make its reads look like another's. A
    well-formed X-Request-ID (from a proxy, say) is kept beside it in the log lines, never instead."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request) -> HttpResponseBase:
        given = request.headers.get("X-Request-ID", "")
        request.request_id = uuid.uuid4().hex
        request.client_request_id = given if given.isalnum() and len(given) <= 64 else ""
        _local.request_id, _local.client_request_id = request.request_id, request.client_request_id
        try:
            response = self.get_response(request)
        finally:
            _local.request_id, _local.client_request_id = "-", ""
        response["X-Request-ID"] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    """Puts the request's id in `%(request_id)s`, followed by the client's own id when it sent one."""

    def filter(self, record) -> bool:
        client = current_client_request_id()
        record.request_id = current_request_id() + (f" client={client}" if client else "")
        return True


class NoStoreForAuthenticatedMiddleware:
    """docs/security.md 19: pages served to a signed-in user are never stored by a browser or proxy."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response


class _OutOfBounds(ValueError):
    pass


def _bounded_int(text: str) -> int:
    # Checked on the digits before int() converts them: a 100 000-digit number costs nothing here.
    if len(text.lstrip("-")) > 19 or not -(2**63) <= int(text) < 2**63:
        raise _OutOfBounds(text)
    return int(text)


def _depth(value) -> int:
    """How deeply arrays and objects nest in a parsed JSON value (iterative: no recursion limit)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in children)
    return deepest


class JsonBodyGuardMiddleware:
    """docs/security.md 23: a JSON body nested deeper than MAX_DEPTH, or holding an integer beyond 64 bits
    (no column stores it), gets 422 and a French message before any view or database sees it.

    A body 10 000 arrays deep made `json.loads` raise RecursionError: a 500 on every POST endpoint.
    Malformed JSON is left to the views, which answer it in their own words.
    """

    MAX_DEPTH = 32  # Twiza's bodies nest 3 deep at most

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD", "OPTIONS") and request.content_type == "application/json":
            try:
                depth = _depth(json.loads(request.body or b"null", parse_int=_bounded_int))
            except RecursionError:
                depth = self.MAX_DEPTH + 1
            except _OutOfBounds:
                return JsonResponse(
                    {"detail": _("Le corps de la requête contient un nombre hors limites.")}, status=422
                )
            except ValueError:  # not JSON at all (UnicodeDecodeError included): the view says so
                depth = 0
            if depth > self.MAX_DEPTH:
                return JsonResponse(
                    {"detail": _("Le corps de la requête est imbriqué trop profondément.")}, status=422
                )
        return self.get_response(request)


# PostgreSQL's codes for "run the transaction again": serialisation failure and deadlock detected.
RETRYABLE_SQLSTATES = {"40001", "40P01"}


class RetryOnConflictMiddleware:
    """docs/security.md 28: a write request whose transaction PostgreSQL aborted as a deadlock's victim (or
    a serialisation failure) is run again, up to 3 times, instead of answering 500.

    Why the whole view: deadlocks come from the engine's multi-row upserts and the actions' row locks,
    which almost any write reaches, and only the outermost transaction can be run again — the view's,
    since requests are not atomic (no ATOMIC_REQUESTS). A view writes through one atomic action (house
    rule), so running it again repeats only what was rolled back. Must be the last middleware: it
    calls the view itself, after every other middleware's `process_view` (CSRF).
    """

    ATTEMPTS = 3

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs) -> HttpResponseBase | None:
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
                time.sleep(random.uniform(0.01, 0.05) * attempt)  # noqa: S311 - jitter, no secret: the two losers don't meet again
        raise AssertionError("unreachable: the last attempt returns or raises")
