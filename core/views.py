from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from partnerships.access import access_for
from partnerships.context_processors import SESSION_KEY
from partnerships.models import Partnership

from .navigation import navigation, role_intros


@login_required
def home(request):
    """Each persona's home: her partnerships, what her roles let her do there, and where to go."""
    partnerships = list(Partnership.objects.visible_to(request.user).select_related("network"))
    current_slug = request.session.get(SESSION_KEY)
    cards = []
    for partnership in partnerships:
        access = access_for(request.user, partnership)
        cards.append(
            {
                "partnership": partnership,
                "intros": role_intros(access),
                "nav": navigation(access),
                "current": partnership.slug == current_slug,
            }
        )
    cards.sort(key=lambda card: not card["current"])
    return render(request, "core/home.html", {"cards": cards})


def healthz(request):
    """Liveness probe for a load balancer; says nothing about the data."""
    return HttpResponse("ok", content_type="text/plain")


def bad_request(request, exception):
    """400 in the layout and in the user's language (issue 14): above all a form sent with more text
    than the server accepts (DATA_UPLOAD_MAX_MEMORY_SIZE), which Django answered "Bad Request (400)"."""
    too_big = isinstance(exception, RequestDataTooBig)
    if request.path.startswith("/api/") or request.content_type == "application/json":
        message = _("Le corps de la requête est trop volumineux.") if too_big else _("Requête illisible.")
        return JsonResponse({"detail": message}, status=400)
    return render(request, "400.html", {"too_big": too_big}, status=400)
