from django.urls import path

from . import public_views as views

app_name = "forums"
urlpatterns = [
    path("", views.forum_list, name="list"),
    path("<int:pk>/", views.forum_detail, name="forum"),
    path("<int:pk>/proposer/", views.propose, name="propose"),
    path("<int:pk>/voter/", views.vote, name="vote"),
    path("<int:pk>/resultats/", views.results, name="results"),
    path("<int:pk>/resultats.csv", views.results_csv, name="results_csv"),
]
