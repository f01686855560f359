from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema

from config.api_types import Error

from .models import Partnership

router = Router(tags=["partenariats"])


class PartnershipOut(Schema):
    """`name` is the French name (docs/api.md); `names` its translations by language ("ar", "nl", "en")."""

    slug: str
    name: str
    names: dict[str, str]
    start_year: int
    end_year: int

    @staticmethod
    def resolve_names(obj) -> dict[str, str]:
        return obj.variants()


@router.get("/partnerships", response={200: list[PartnershipOut], 401: Error})
def list_partnerships(request: HttpRequest) -> QuerySet[Partnership]:
    """The partnerships visible to the token's user."""
    # ninja sets request.auth (the Grant, or the user) once the auth step passed.
    return Partnership.objects.visible_to(request.auth)  # type: ignore[attr-defined]
