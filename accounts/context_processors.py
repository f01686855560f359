from typing import Any

from django.conf import settings


def session_warning(request) -> dict[str, Any]:
    """On a signed-in user's pages: the idle limit the warning counts down to (static/js/session.js)
    and the signed name that tells whose a form is if her session ends first (accounts/kept.py)."""
    from .kept import author_stamp

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"session_idle_seconds": settings.SESSION_COOKIE_AGE, "author_stamp": author_stamp(user)}
