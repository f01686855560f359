from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.models import User

from .waiting import waiting_for


@login_required
def mine(request) -> HttpResponse:
    """ "Mon travail": what waits for her, each kind with its count, its rows and the page where the
    work is done. `?fragment=1` (the home page's htmx request) gives the list alone."""
    kinds = [waiting for waiting in waiting_for(request.user) if waiting.count]
    context = {"kinds": kinds}
    if request.GET.get("fragment"):
        return render(request, "work/_waiting.html", context)
    return render(request, "work/mine.html", context)


@login_required
def digest_off(request) -> HttpResponse:
    """The digest's one-click opt-out: a button (GET shows it, POST turns the digest off)."""
    if request.method == "POST":
        User.objects.filter(pk=request.user.pk).update(daily_digest=False)
        messages.success(request, _("Vous ne recevrez plus le résumé quotidien."))
        return redirect("work:mine")
    return render(request, "work/digest_off.html", {"daily_digest": request.user.daily_digest})
