from django.contrib import admin
from django.urls import include, path

from core.views import set_language

from .api import api

urlpatterns = [
    path("", include("core.urls")),
    path("comptes/", include("accounts.urls")),
    path("mon-travail/", include("work.urls")),
    path("comptes/invitation/", include("partnerships.urls_invitation")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("partenariats/", include("partnerships.setup_urls")),
    path("p/<slug:slug>/", include("partnerships.urls")),
    path("p/<slug:slug>/", include("programme.urls")),
    path("p/<slug:slug>/", include("indicators.urls")),
    path("p/<slug:slug>/", include("people.urls")),
    path("p/<slug:slug>/", include("activities.urls")),
    path("p/<slug:slug>/", include("reports.urls")),
    path("p/<slug:slug>/collecte/", include("collect.urls")),
    path("openrosa/<slug:slug>/", include("collect.urls_openrosa")),
    path("reseau/", include("portal.urls_network")),
    path("p/<slug:slug>/forums/", include("participation.urls")),
    path("p/<slug:slug>/projets/", include("projects.urls")),
    path("public/<slug:slug>/forums/", include("participation.public_urls")),
    path("p/<slug:slug>/centre/", include("cases.urls")),
    path("public/<slug:slug>/", include("portal.public_urls")),
    path("p/<slug:slug>/bonnes-pratiques/", include("portal.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "core.views.bad_request"
