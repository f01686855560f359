from django.urls import path  # noqa: F401

from . import form_views, views  # noqa: F401

# The structure's staff's pages (signed in): devices, forms, Kobo links, the review queue.
app_name = "collect"
urlpatterns: list = []

# A — forms: the XLSForm downloads and the structure's collection settings.
urlpatterns += [
    path("formulaires/<slug:structure>/<str:kind>.xlsx", form_views.xlsform, name="xlsform"),
    path("reglages/<slug:structure>/", form_views.collect_settings, name="settings"),
]
