from django.urls import path  # noqa: F401

from . import views  # noqa: F401

# The structure's staff's pages (signed in): devices, forms, Kobo links, the review queue.
app_name = "collect"
urlpatterns: list = []

# C — the review queue and Kobo links
from . import queue_views  # noqa: E402

urlpatterns += [
    path("envois/", queue_views.queue, name="queue"),
    path("envois/<int:pk>/", queue_views.review, name="review"),
    path("kobo/", queue_views.hooks, name="hooks"),
    path("kobo/<int:pk>/revoquer/", queue_views.hook_revoke, name="hook_revoke"),
]
