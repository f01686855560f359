from typing import Annotated

from ninja import Router, Schema
from pydantic import Field

from accounts.api import Error

from .models import Partnership

router = Router(tags=["partenariats"])

# A partnership slug in a path: anything else (a NUL byte, which PostgreSQL refuses) is a 422.
Slug = Annotated[str, Field(pattern=r"^[-a-zA-Z0-9_]+$", max_length=50)]


class PartnershipOut(Schema):
    """`name` is the French name (CONTRACT.md); `names` its translations by language ("ar", "nl", "en")."""

    slug: str
    name: str
    names: dict[str, str]
    start_year: int
    end_year: int

    @staticmethod
    def resolve_names(obj) -> dict[str, str]:
        return obj.variants()


@router.get("/partnerships", response={200: list[PartnershipOut], 401: Error})
def list_partnerships(request):
    """The partnerships visible to the token's user."""
    return list(Partnership.objects.visible_to(request.auth))
