from django.urls import path

from . import public_views as views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("activites/", views.activities, name="activities"),
    path("indicateurs.csv", views.indicators_csv, name="indicators_csv"),
    path("indicateurs/<str:code>.csv", views.indicator_csv, name="indicator_csv"),
    path("activites.csv", views.activities_csv, name="activities_csv"),
    path("bonnes-pratiques/", views.practices, name="practices"),
    path("bonnes-pratiques/<int:pk>/", views.practice, name="practice"),
    path("bonnes-pratiques/<int:pk>/documents/<int:doc>/", views.attachment, name="attachment"),
]
