"""Cross-cutting middleware: a request id for logs and audit rows, and no caching of private pages."""

import logging
import threading
import uuid

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
