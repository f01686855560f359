from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("indicateurs/nouveau/", views.indicator_edit, name="indicator_new"),
    path("indicateurs/<str:code>/", views.indicator_edit, name="indicator_edit"),
]
