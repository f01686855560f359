from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from .models import ApiToken


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: the token's user, if the token and the user are active."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = ApiToken.objects.for_raw(token).first()
        if found is None:
            return None
        now = timezone.now()
        # Note the last use at most once a minute: a read stays a read for the database.
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user
