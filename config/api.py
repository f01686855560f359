"""The JSON API under /api/v1/, assembled from each app's ninja router."""

from django.db import OperationalError
from ninja import NinjaAPI
from ninja.errors import ValidationError

from accounts.api import TokenAuth
from activities.api import router as activities_router
from indicators.api import router as indicators_router
from partnerships.api import router as partnerships_router
from people.api import router as people_router

api = NinjaAPI(
    title="Twiza API",
    version="1",
    urls_namespace="api",
    auth=TokenAuth(),
    description="API de Twiza. Aucun point d'accès ne renvoie le contenu des dossiers du centre d'écoute.",
)


@api.exception_handler(ValidationError)
def invalid_parameter(request, exc):
    """A path or query parameter of the wrong type: 422 and one French message, like bad bodies."""
    name = exc.errors[0]["loc"][-1] if exc.errors and exc.errors[0].get("loc") else "paramètre"
    return api.create_response(request, {"detail": f"Valeur invalide pour « {name} »."}, status=422)


@api.exception_handler(OperationalError)
def database_conflict(request, exc):
    """Up to core.middleware.RetryOnConflictMiddleware, which runs the request again (SECURITY.md 28),
    even with DEBUG on (where ninja would answer 500 itself)."""
    raise exc


api.add_router("/", partnerships_router)
api.add_router("/", indicators_router)
api.add_router("/", people_router)
api.add_router("/", activities_router)
