from django.urls import path  # noqa: F401

# ODK Collect's and Kobo's doors (no session: HTTPS Basic with a device password, or a hook's secret).
app_name = "openrosa"
urlpatterns: list = []
