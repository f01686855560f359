from django.urls import path

from . import views

app_name = "programme"
urlpatterns = [
    path("cadre-de-resultats/", views.framework, name="framework"),
    path("indicateurs/<str:code>/chiffres/", views.measurements, name="measurements"),
    path(
        "indicateurs/<str:code>/chiffres/<int:pk>/<str:step>/",
        views.measurement_step,
        name="measurement_step",
    ),
]
