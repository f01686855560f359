from django.utils import timezone
from ninja.security import HttpBearer

from .models import ApiToken


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: the token's user, if the token and the user are active."""

    def authenticate(self, request, token):
        found = ApiToken.objects.for_raw(token).first()
        if found is None:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user
