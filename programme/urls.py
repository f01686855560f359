from django.urls import path

from . import views

app_name = "programme"
urlpatterns = [
    path("cadre-de-resultats/", views.framework, name="framework"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("indicateurs/nouveau/", views.indicator_edit, name="indicator_new"),
    path("indicateurs/<str:code>/", views.indicator_edit, name="indicator_edit"),
    path("indicateurs/<str:code>/chiffres/", views.measurements, name="measurements"),
    path(
        "indicateurs/<str:code>/chiffres/<int:pk>/<str:step>/",
        views.measurement_step,
        name="measurement_step",
    ),
]
