"""Cross-cutting middleware: a request id for logs and audit rows, and no caching of private pages."""

import logging
import threading
import uuid

_local = threading.local()


def current_request_id() -> str:
    """The id of the request being served in this thread, made by the server, or "-" outside a request."""
    return getattr(_local, "request_id", "-")


def current_client_request_id() -> str:
    """The X-Request-ID the client (or a proxy) sent, when well formed; "" otherwise."""
    return getattr(_local, "client_request_id", "")


class RequestIdMiddleware:
    """Gives every request an id made here (SECURITY.md 32): the append-only access log and the logs
    must not hold an id a client chose, or a client could make its reads look like another's. A
    well-formed X-Request-ID (from a proxy, say) is kept beside it in the log lines, never instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
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

    def filter(self, record):
        client = current_client_request_id()
        record.request_id = current_request_id() + (f" client={client}" if client else "")
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
