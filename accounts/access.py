"""The only way views reach API tokens: a user reaches her own, nobody else's (not even an admin)."""

from django.db.models import QuerySet
from django.http import Http404

from .models import ApiToken


def tokens_of(user) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first, revoked and expired ones included (her history)."""
    return ApiToken.objects.filter(user=user)


def get_token_for_user(user, pk: int) -> ApiToken:
    """One of the user's own tokens; 404 for anyone else's (docs/security.md 2)."""
    token = tokens_of(user).filter(pk=pk).first()
    if token is None:
        raise Http404
    return token
