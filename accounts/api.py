from django.utils import timezone
from ninja import Schema
from ninja.security import HttpBearer

from .models import ApiToken


class Error(Schema):
    """Every error answer of the API, 401 included (`{"detail": "Unauthorized"}`)."""

    detail: str


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: the token's user, if the token and the user are active."""

    def authenticate(self, request, token):
        found = ApiToken.objects.for_raw(token).first()
        if found is None:
            return None
        now = timezone.now()
        # Note the last use at most once a minute: a read stays a read for the database.
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user
