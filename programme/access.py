"""The door to indicators and manual figures. Fail closed; "missing" and "forbidden" are one 404."""

from django.db.models import QuerySet
from django.http import Http404

from partnerships.access import Access, access_for, get_partnership_for_user, may_set_up
from partnerships.models import Membership, Partnership, Role

from .models import Indicator, Measurement, Result


def can_define_indicators(access) -> bool:
    """The coordinator (or the partnership's admin) edits indicator definitions."""
    return access.is_coordinator


def can_import_framework(access: Access) -> bool:
    """The coordinator (or the partnership's admin) imports a logframe; for a partnership without a
    coordinator yet, the platform administrator or the officer of its network sets it up."""
    if access.is_coordinator:
        return True
    if not (access.platform_admin or access.has(Role.NETWORK_OFFICER)):
        return False
    return not Membership.objects.filter(partnership=access.partnership, role=Role.COORDINATOR).exists()


def get_framework_import_for_user(user, slug: str) -> tuple[Partnership, Access]:
    """A partnership into whose framework the user may import a logframe; 404 otherwise."""
    partnership, access = get_partnership_for_user(user, slug)
    if not can_import_framework(access):
        raise Http404
    return partnership, access


def can_enter_figures(access, indicator: Indicator) -> bool:
    """The coordinator enters any manual figure; the centre coordinator those of the centre."""
    if access.coordinates:
        return True
    if not _is_centre_figure(indicator):
        return False
    return access.has(Role.CENTRE_COORDINATOR)


def can_approve_figures(access, indicator: Indicator) -> bool:
    """The coordinator approves figures; the centre coordinator approves the centre's own."""
    if access.coordinates:
        return True
    if not _is_centre_figure(indicator):
        return False
    return access.has(Role.CENTRE_COORDINATOR)


def can_approve_measurement(access, measurement: Measurement, user) -> bool:
    """Whether `user` may approve this submitted figure now: she approves the indicator's figures and
    neither saved its value last nor submitted it (four eyes; actions.approve_measurement refuses
    the same)."""
    return (
        measurement.status == Measurement.Status.SUBMITTED
        and can_approve_figures(access, measurement.indicator)
        and user.pk not in measurement.authors()
    )


def _is_centre_figure(indicator: Indicator) -> bool:
    return indicator.structures == ["centre-ecoute"]


def get_indicator_for_user(
    user, slug: str, code: str, *, to_edit: bool = False
) -> tuple[Partnership, Access, Indicator]:
    """An indicator of a partnership the user may see (and edit, with `to_edit`); 404 otherwise."""
    partnership, access = get_partnership_for_user(user, slug)
    indicator = (
        Indicator.objects.filter(result__partnership=partnership, code=code).select_related("result").first()
    )
    if indicator is None:
        raise Http404
    if to_edit and not can_define_indicators(access):
        raise Http404
    return partnership, access, indicator


def get_measurement_indicator_for_user(user, slug: str, code: str) -> tuple[Partnership, Access, Indicator]:
    """A manual indicator whose figures the user may enter or approve; 404 otherwise."""
    partnership, access, indicator = get_indicator_for_user(user, slug, code)
    if indicator.source != Indicator.Source.MANUAL:
        raise Http404
    if not (can_enter_figures(access, indicator) or can_approve_figures(access, indicator)):
        raise Http404
    return partnership, access, indicator


def measurements_of(indicator: Indicator) -> QuerySet[Measurement]:
    """An indicator's manual figures, latest year first, with their whole history (who, when, what)."""
    return (
        Measurement.objects.filter(indicator=indicator)
        .select_related("indicator")
        .prefetch_related("events__user")
        .order_by("-period", "sex")
    )


def measurements_to_approve(user) -> list[Measurement]:
    """The submitted figures `user` may approve now, in every partnership she may see
    (`can_approve_measurement`: not those she saved or submitted herself). For "Mon travail"."""
    waiting = []
    for partnership in Partnership.objects.visible_to(user):
        access = access_for(user, partnership)
        submitted = (
            Measurement.objects.filter(
                indicator__result__partnership=partnership, status=Measurement.Status.SUBMITTED
            )
            .select_related("indicator__result__partnership")
            .prefetch_related("events")
            .order_by("indicator__code", "period", "sex")
        )
        waiting += [m for m in submitted if can_approve_measurement(access, m, user)]
    return waiting


def can_edit_framework(access: Access) -> bool:
    """Who edits the results framework (outcome, results, indicators, baselines, targets): whoever
    sets the partnership up (its coordinator, or its creator before a coordinator exists)."""
    return may_set_up(access)


def get_framework_for_user(user, slug: str) -> tuple[Partnership, Access]:
    """The partnership whose results framework the user may edit; 404 otherwise."""
    partnership, access = get_partnership_for_user(user, slug)
    if not can_edit_framework(access):
        raise Http404
    return partnership, access


def get_result_to_edit(user, slug: str, code: str) -> tuple[Result, Access]:
    """A result (or the outcome) of a framework the user may edit; 404 otherwise."""
    partnership, access = get_framework_for_user(user, slug)
    result = Result.objects.filter(partnership=partnership, code=code).first()
    if result is None:
        raise Http404
    return result, access


def get_indicator_to_edit(user, slug: str, code: str) -> tuple[Indicator, Access]:
    """An indicator of a framework the user may edit; 404 otherwise."""
    partnership, access = get_framework_for_user(user, slug)
    indicator = (
        Indicator.objects.filter(result__partnership=partnership, code=code)
        .select_related("result__partnership")
        .first()
    )
    if indicator is None:
        raise Http404
    return indicator, access
