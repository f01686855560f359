"""The JSON API under /api/v1/, assembled from each app's ninja router (their shared pieces:
`config/api_types.py`)."""

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from accounts.api import TokenAuth
from activities.api import router as activities_router
from indicators.api import router as indicators_router
from partnerships.api import router as partnerships_router
from people.api import router as people_router

from .api_types import NOT_JSON, JsonParser, NotJson, invalid_message

api = NinjaAPI(
    title="Twiza API",
    version="1",
    urls_namespace="api",
    auth=TokenAuth(),
    parser=JsonParser(),
    description="API de Twiza. Aucun point d'accès ne renvoie le contenu des dossiers du centre d'écoute.",
)


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A parameter or body the schema refuses: 422 and one French message naming the field (ninja's
    own answer is a list of English errors)."""
    return api.create_response(request, {"detail": invalid_message(exc.errors)}, status=422)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's errors as `{"detail": …}`; a body that is not JSON is invalid input (422), not 400."""
    if isinstance(exc.__cause__, NotJson):
        return api.create_response(request, {"detail": NOT_JSON}, status=422)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(OperationalError)
def database_conflict(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    """Up to core.middleware.RetryOnConflictMiddleware, which runs the request again (docs/security.md 28),
    even with DEBUG on (where ninja would answer 500 itself)."""
    raise exc


api.add_router("/", partnerships_router)
api.add_router("/", indicators_router)
api.add_router("/", people_router)
api.add_router("/", activities_router)
