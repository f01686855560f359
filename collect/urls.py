from django.urls import path

from . import form_views, queue_views, views

# The structure's staff's pages (signed in): devices, forms, Kobo links, the review queue.
app_name = "collect"
urlpatterns: list = []

# A — forms: the XLSForm downloads and the structure's collection settings.
urlpatterns += [
    path("formulaires/<slug:structure>/<str:kind>.xlsx", form_views.xlsform, name="xlsform"),
    path("reglages/<slug:structure>/", form_views.collect_settings, name="settings"),
]

# B — devices: the collection page, a new device password, revoking one.
urlpatterns += [
    path("", views.index, name="index"),
    path("appareils/nouveau/", views.device_new, name="device_new"),
    path("appareils/<int:pk>/revoquer/", views.device_revoke, name="device_revoke"),
]

# C — the review queue and Kobo links
urlpatterns += [
    path("envois/", queue_views.queue, name="queue"),
    path("envois/<int:pk>/", queue_views.review, name="review"),
    path("kobo/", queue_views.hooks, name="hooks"),
    path("kobo/<int:pk>/revoquer/", queue_views.hook_revoke, name="hook_revoke"),
]
