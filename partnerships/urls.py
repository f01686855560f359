from django.urls import path

from . import setup_views, views

app_name = "partnerships"
urlpatterns = [
    path("", views.detail, name="detail"),
    path("nominations/", views.appointments, name="appointments"),
    path("nominations/<int:pk>/", views.appointment_confirm, name="appointment_confirm"),
    path("nominations/<int:pk>/retirer/", views.appointment_withdraw, name="appointment_withdraw"),
    path("equipe/", views.team, name="team"),
    path("equipe/inviter/", views.invite, name="invite"),
    path("equipe/journal/", views.access_log, name="access_log"),
    path("equipe/invitations/<int:pk>/revoquer/", views.invitation_revoke, name="invitation_revoke"),
    path("equipe/roles/<int:pk>/", views.role_change, name="role_change"),
    path("equipe/roles/<int:pk>/retirer/", views.role_remove, name="role_remove"),
    path("equipe/roles/<int:pk>/desactiver/", views.deactivate, name="deactivate"),
    # A partnership's set-up in the browser (issue 16, item 3).
    path("mise-en-place/", setup_views.setup, name="setup"),
    path("mise-en-place/douars/", setup_views.douars, name="douars"),
    path("mise-en-place/douars/nouveau/", setup_views.douar_edit, name="douar_new"),
    path("mise-en-place/douars/<slug:code>/", setup_views.douar_edit, name="douar_edit"),
    path("mise-en-place/douars/<slug:code>/supprimer/", setup_views.douar_delete, name="douar_delete"),
    path("mise-en-place/structures/nouvelle/", setup_views.structure_edit, name="structure_new"),
    path("mise-en-place/structures/<slug:code>/", setup_views.structure_edit, name="structure_edit"),
    path(
        "mise-en-place/structures/<slug:code>/supprimer/",
        setup_views.structure_delete,
        name="structure_delete",
    ),
]
