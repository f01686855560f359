from django.urls import path

from . import editing, views

app_name = "indicators"
urlpatterns = [
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("indicateurs/nouveau/", views.indicator_edit, name="indicator_new"),
    path("indicateurs/<str:code>/", views.indicator_edit, name="indicator_edit"),
    # The framework's editor (issue 16, item 3; programme/editing.py holds its other pages).
    path(
        "cadre-de-resultats/mise-en-place/indicateurs/nouveau/",
        editing.indicator_define,
        name="indicator_define_new",
    ),
    path(
        "cadre-de-resultats/mise-en-place/indicateurs/<str:code>/",
        editing.indicator_define,
        name="indicator_define",
    ),
    path(
        "cadre-de-resultats/mise-en-place/indicateurs/<str:code>/supprimer/",
        editing.indicator_delete,
        name="indicator_delete",
    ),
]
