from django.urls import path

from . import views

app_name = "programme"
urlpatterns = [
    path("cadre-de-resultats/", views.framework, name="framework"),
]
