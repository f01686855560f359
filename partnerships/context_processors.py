from typing import Any

from .models import Partnership

SESSION_KEY = "current_partnership"


def current_partnership(request) -> dict[str, Any]:
    """The partnership the header shows, and the others the user may switch to."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    visible = list(Partnership.objects.visible_to(user).only("slug", "name", "translations"))
    match = getattr(request, "resolver_match", None)
    slug = (match.kwargs.get("slug") if match else None) or request.session.get(SESSION_KEY)
    current = next((p for p in visible if p.slug == slug), visible[0] if visible else None)
    return {"current_partnership": current, "visible_partnerships": visible}
