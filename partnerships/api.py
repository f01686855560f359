from ninja import Router, Schema

from .models import Partnership

router = Router(tags=["partenariats"])


class PartnershipOut(Schema):
    slug: str
    name: str
    start_year: int
    end_year: int


@router.get("/partnerships", response=list[PartnershipOut])
def list_partnerships(request):
    """The partnerships visible to the token's user."""
    return list(Partnership.objects.visible_to(request.auth))
