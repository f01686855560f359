from django.urls import path

from . import views

app_name = "activities"
urlpatterns = [
    path("activites/", views.activity_list, name="list"),
    path("activites/nouvelle/", views.activity_create, name="create"),
    path("activites/<int:pk>/", views.activity_detail, name="detail"),
    path("activites/<int:pk>/modifier/", views.activity_edit, name="edit"),
    path("activites/<int:pk>/presences/", views.attendance, name="attendance"),
    path("activites/<int:pk>/presences/recherche/", views.search, name="search"),
    path("activites/<int:pk>/presences/ajouter/", views.attend, name="attend"),
    path("activites/<int:pk>/presences/retirer/", views.unattend, name="unattend"),
    path("activites/<int:pk>/presences/nouvelle-personne/", views.quick_person, name="quick_person"),
    path("activites/<int:pk>/comptages/", views.tally, name="tally"),
    path("activites/<int:pk>/decisions/", views.decision_add, name="decision_add"),
    path("activites/<int:pk>/decisions/<int:decision>/", views.decision_done, name="decision_done"),
    path("visites/", views.visits, name="visits"),
    path("partenaires/", views.partners, name="partners"),
]
