from django.urls import path

from . import editing, views

app_name = "programme"
urlpatterns = [
    path("cadre-de-resultats/", views.framework, name="framework"),
    path("indicateurs/<str:code>/chiffres/", views.measurements, name="measurements"),
    path(
        "indicateurs/<str:code>/chiffres/<int:pk>/<str:step>/",
        views.measurement_step,
        name="measurement_step",
    ),
    # The framework's editor (issue 16, item 3).
    path("cadre-de-resultats/mise-en-place/", editing.framework_edit, name="framework_edit"),
    path("cadre-de-resultats/mise-en-place/resultats/nouveau/", editing.result_edit, name="result_new"),
    path("cadre-de-resultats/mise-en-place/resultats/<str:code>/", editing.result_edit, name="result_edit"),
    path(
        "cadre-de-resultats/mise-en-place/resultats/<str:code>/supprimer/",
        editing.result_delete,
        name="result_delete",
    ),
    path(
        "cadre-de-resultats/mise-en-place/indicateurs/<str:code>/cibles/",
        editing.targets_edit,
        name="targets_edit",
    ),
]

# The results framework as an XLSX logframe (programme/logframe.py): template, export, import.
from . import logframe_views  # noqa: E402 (appended apart, so the framework's editing views merge cleanly)

urlpatterns += [
    path("cadre-de-resultats/modele.xlsx", logframe_views.template, name="logframe_template"),
    path("cadre-de-resultats/export.xlsx", logframe_views.export, name="logframe_export"),
    path("cadre-de-resultats/importer/", logframe_views.upload, name="logframe_import"),
]
