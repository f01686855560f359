from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.centre, name="centre"),
    path("accueil/", views.intake, name="intake"),
    path("statistiques/", views.statistics, name="statistics"),
    path("groupes/", views.groups, name="groups"),
    path("groupes/nouveau/", views.group_new, name="group_new"),
    path("groupes/<int:pk>/", views.group_detail, name="group"),
    path("groupes/<int:pk>/seance/", views.group_session_add, name="group_session_add"),
    path("dossiers/<slug:code>/", views.case_detail, name="case"),
    path("dossiers/<slug:code>/modifier/", views.case_edit, name="case_edit"),
    path("dossiers/<slug:code>/ajouter/<slug:kind>/", views.case_add, name="case_add"),
    path("dossiers/<slug:code>/plaintes/<int:pk>/etape/", views.complaint_step, name="complaint_step"),
    path("dossiers/<slug:code>/hebergements/<int:pk>/fin/", views.shelter_end, name="shelter_end"),
    path("dossiers/<slug:code>/cloturer/", views.case_close, name="case_close"),
    path("dossiers/<slug:code>/rouvrir/", views.case_reopen, name="case_reopen"),
    path("dossiers/<slug:code>/attribuer/", views.case_assign, name="case_assign"),
    path("roles/", views.roles, name="roles"),
    path("roles/<int:pk>/<slug:act>/", views.role_act, name="role_act"),
    path("journal-des-roles/", views.role_log, name="role_log"),
]
