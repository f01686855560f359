"""The pages of a partnership's set-up that no partnership holds yet (under /partenariats/)."""

from django.urls import path

from . import setup_views

app_name = "setup"
urlpatterns = [
    path("nouveau/", setup_views.partnership_new, name="partnership_new"),
]
