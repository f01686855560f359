"""The one way a set-up page deletes a row: the action refuses (a ValidationError saying what holds
the row) or deletes, and either way the person is back on the list with a message."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def delete_then_back(
    request: HttpRequest, delete: Callable[[], object], done: str, to: str, **kwargs
) -> HttpResponse:
    """Runs `delete`; says `done` or why not; redirects to the page `to` (a URL name, its kwargs)."""
    try:
        delete()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(to, **kwargs)
