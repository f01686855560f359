from django.urls import path  # noqa: F401

# ODK Collect's and Kobo's doors (no session: HTTPS Basic with a device password, or a hook's secret).
app_name = "openrosa"
urlpatterns: list = []

# C — Kobo's REST push
from . import queue_views  # noqa: E402

urlpatterns += [
    path("kobo/<str:secret>", queue_views.kobo_push, name="kobo"),
]
