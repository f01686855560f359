from django.urls import path

from . import setup_views, views

app_name = "partnerships"
urlpatterns = [
    path("", views.detail, name="detail"),
    path("nominations/", views.appointments, name="appointments"),
    path("nominations/<int:pk>/", views.appointment_confirm, name="appointment_confirm"),
    path("nominations/<int:pk>/retirer/", views.appointment_withdraw, name="appointment_withdraw"),
    # A partnership's set-up in the browser (issue 16, item 3).
    path("mise-en-place/", setup_views.setup, name="setup"),
    path("mise-en-place/structures/nouvelle/", setup_views.structure_edit, name="structure_new"),
    path("mise-en-place/structures/<slug:code>/", setup_views.structure_edit, name="structure_edit"),
    path(
        "mise-en-place/structures/<slug:code>/supprimer/",
        setup_views.structure_delete,
        name="structure_delete",
    ),
]
