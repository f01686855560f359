from django.urls import path

from . import openrosa, queue_views

# ODK Collect's and Kobo's doors (no session: HTTPS Basic with a device password, or a hook's secret).
app_name = "openrosa"
urlpatterns: list = []

# B — OpenRosa 1.0 for ODK Collect (collect/openrosa.py).

urlpatterns += [
    path("formList", openrosa.form_list, name="form_list"),
    path("forms/<str:form_id>/<str:version>/form.xml", openrosa.form, name="form"),
    path("forms/<str:form_id>/<str:version>/manifest", openrosa.manifest, name="manifest"),
    path("forms/<str:form_id>/<str:version>/media/<str:filename>", openrosa.media, name="media"),
    path("submission", openrosa.submission, name="submission"),
]

# C — Kobo's REST push
urlpatterns += [
    path("kobo/<str:secret>", queue_views.kobo_push, name="kobo"),
]
