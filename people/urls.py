from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("personnes/", views.person_list, name="list"),
    path("personnes/nouvelle/", views.person_create, name="create"),
    path("personnes/<int:pk>/", views.person_detail, name="detail"),
    path("personnes/<int:pk>/modifier/", views.person_edit, name="edit"),
    path("personnes/<int:pk>/fusionner/", views.person_merge, name="merge"),
    path("personnes/<int:pk>/supprimer/", views.person_delete, name="delete"),
]
