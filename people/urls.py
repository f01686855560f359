from django.urls import path

from . import setup_views, views

app_name = "people"
urlpatterns = [
    path("personnes/", views.person_list, name="list"),
    path("personnes/nouvelle/", views.person_create, name="create"),
    path("personnes/<int:pk>/", views.person_detail, name="detail"),
    path("personnes/<int:pk>/modifier/", views.person_edit, name="edit"),
    path("personnes/<int:pk>/fusionner/", views.person_merge, name="merge"),
    path("personnes/<int:pk>/supprimer/", views.person_delete, name="delete"),
    # Target groups, set up with a partnership (issue 16, item 3).
    path("mise-en-place/publics-cibles/", setup_views.target_groups, name="target_groups"),
    path("mise-en-place/publics-cibles/nouveau/", setup_views.target_group_edit, name="target_group_new"),
    path(
        "mise-en-place/publics-cibles/<slug:code>/", setup_views.target_group_edit, name="target_group_edit"
    ),
    path(
        "mise-en-place/publics-cibles/<slug:code>/supprimer/",
        setup_views.target_group_delete,
        name="target_group_delete",
    ),
]
