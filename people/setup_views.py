"""Target groups, set up in the browser with a partnership (issue 16, item 3).

Target groups are shared by every partnership (their codes are fixed by docs/api.md and indicators
filter on them): whoever sets up a partnership (partnerships.access.may_set_up) lists them and adds
new ones; she changes or deletes one only while nothing refers to it (no person, tally, practice or
indicator), so that no other partnership's figures change under it.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.navigation import navigation
from core.references import referenced_by
from partnerships.access import get_setup_for_user
from programme.models import Indicator

from .models import TargetGroup
from .setup_forms import TargetGroupForm


def filtered_codes() -> set[str]:
    """The target-group codes some indicator (of any partnership) filters on."""
    return {
        code for codes in Indicator.objects.values_list("target_groups", flat=True) for code in codes or []
    }


def holders(group: TargetGroup, filtered: set[str] | None = None) -> list[str]:
    """What refers to a target group: the kinds of rows pointing at it, and indicators filtering on
    it (`filtered`: `filtered_codes()`, read once for a list)."""
    names = [str(name) for name in referenced_by(group)]
    if group.code in (filtered_codes() if filtered is None else filtered):
        names.append(str(_("indicateurs")))
    return names


@transaction.atomic
def delete_target_group(group: TargetGroup) -> None:
    """Deletes a target group nothing refers to; refuses otherwise, deleting nothing."""
    group = TargetGroup.objects.select_for_update().get(pk=group.pk)
    names = holders(group)
    if names:
        raise ValidationError(
            _("Ce public cible ne peut pas être supprimé : %(holders)s y font référence.")
            % {"holders": ", ".join(names)}
        )
    group.delete()


def _refusal(group: TargetGroup) -> str:
    return _(
        "Ce public cible est déjà utilisé (%(holders)s) : il ne peut plus être modifié ici, car "
        "d'autres partenariats en dépendent peut-être."
    ) % {"holders": ", ".join(holders(group))}


@login_required
def target_groups(request, slug) -> HttpResponse:
    """The target groups, each with whether it may still be changed."""
    partnership, access = get_setup_for_user(request.user, slug)
    filtered = filtered_codes()
    rows: list[dict[str, Any]] = [
        {"group": g, "used": bool(holders(g, filtered))} for g in TargetGroup.objects.all()
    ]
    context = {"partnership": partnership, "nav": navigation(access), "rows": rows}
    return render(request, "people/target_groups.html", context)


@login_required
def target_group_edit(request, slug, code=None) -> HttpResponse:
    """Adds a target group, or changes one nothing refers to yet."""
    partnership, access = get_setup_for_user(request.user, slug)
    group = TargetGroup() if code is None else TargetGroup.objects.filter(code=code).first()
    if group is None:
        raise Http404
    if group.pk is not None and holders(group):
        messages.error(request, _refusal(group))
        return redirect("people:target_groups", slug=slug)
    form = TargetGroupForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Public cible enregistré."))
        return redirect("people:target_groups", slug=slug)
    title = (
        _("Nouveau public cible") if group.pk is None else _("Public cible %(code)s") % {"code": group.code}
    )
    context = {"partnership": partnership, "nav": navigation(access), "form": form, "title": title}
    return render(request, "partnerships/setup_form.html", context)


@login_required
@require_POST
def target_group_delete(request, slug, code) -> HttpResponse:
    get_setup_for_user(request.user, slug)
    group = TargetGroup.objects.filter(code=code).first()
    if group is None:
        raise Http404
    try:
        delete_target_group(group)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Public cible supprimé."))
    return redirect("people:target_groups", slug=slug)
