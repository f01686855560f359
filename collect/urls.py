from django.urls import path  # noqa: F401

from . import views  # noqa: F401

# The structure's staff's pages (signed in): devices, forms, Kobo links, the review queue.
app_name = "collect"
urlpatterns: list = []
