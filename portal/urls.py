from django.urls import path

from . import views

app_name = "practices"
urlpatterns = [
    path("", views.library, name="library"),
    path("nouvelle/", views.practice_edit, name="new"),
    path("projets/", views.projects, name="projects"),
    path("projets/<int:project>/principes/", views.project_principles, name="project_principles"),
    path("<int:pk>/", views.practice_detail, name="detail"),
    path("<int:pk>/modifier/", views.practice_edit, name="edit"),
    path("<int:pk>/publication/", views.practice_publish, name="publish"),
    path("<int:pk>/documents/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/documents/<int:doc>/", views.attachment_download, name="attachment"),
    path("<int:pk>/documents/<int:doc>/supprimer/", views.attachment_delete, name="attachment_delete"),
    path("<int:pk>/liens/", views.link_add, name="link_add"),
    path("<int:pk>/liens/<int:link>/supprimer/", views.link_delete, name="link_delete"),
]
