from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from partnerships.access import access_for
from partnerships.context_processors import SESSION_KEY
from partnerships.models import Network, Partnership, Role
from portal.public_views import front_door

from .navigation import navigation, role_intros


def home(request) -> HttpResponse:
    """`/`: the front door for a visitor (the public portals, no login asked); for a signed-in user,
    her home: her partnerships, what her roles let her do there, and where to go."""
    if not request.user.is_authenticated:
        return front_door(request)
    networks = Network.objects.filter(
        memberships__user=request.user, memberships__role=Role.NETWORK_OFFICER
    ).distinct()
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
    return render(request, "core/home.html", {"cards": cards, "networks": networks})


def healthz(request) -> HttpResponse:
    """Liveness probe for a load balancer; says nothing about the data."""
    return HttpResponse("ok", content_type="text/plain")


def bad_request(request, exception) -> HttpResponse:
    """400 in the layout and in the user's language (issue 14): above all a form sent with more text
    than the server accepts (DATA_UPLOAD_MAX_MEMORY_SIZE), which Django answered "Bad Request (400)"."""
    too_big = isinstance(exception, RequestDataTooBig)
    if request.path.startswith("/api/") or request.content_type == "application/json":
        message = _("Le corps de la requête est trop volumineux.") if too_big else _("Requête illisible.")
        return JsonResponse({"detail": message}, status=400)
    return render(request, "400.html", {"too_big": too_big}, status=400)


@csrf_exempt
def set_language(request) -> HttpResponse:
    """Django's language switch (POST `language`, `next`). A signed-in user's switch is checked
    against CSRF as any form; a visitor's is not: the public pages are cached and shared, so they
    carry no CSRF token, and another site forcing a visitor's language does her no harm."""
    if request.user.is_authenticated:
        response = csrf_protect(i18n.set_language)(request)
        language = request.POST.get("language")
        # Her e-mails follow the language she chose (accounts/mail.py).
        if response.status_code == 302 and language in dict(settings.LANGUAGES):
            # `request.user` is a lazy wrapper: its type is not the model's.
            get_user_model().objects.filter(pk=request.user.pk).update(language=language)
        return response
    return i18n.set_language(request)
