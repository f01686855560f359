from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core.navigation import navigation

from .access import get_partnership_for_user
from .context_processors import SESSION_KEY


@login_required
def detail(request, slug):
    """The partnership page: its communes, its structures and their status, its partners."""
    partnership, access = get_partnership_for_user(request.user, slug)
    request.session[SESSION_KEY] = partnership.slug
    context = {
        "partnership": partnership,
        "access": access,
        "nav": navigation(access),
        "communes": partnership.communes.all(),
        "structures": partnership.structures.select_related("organisation"),
        "partner_roles": partnership.partner_roles.select_related("organisation"),
    }
    return render(request, "partnerships/detail.html", context)
