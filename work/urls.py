from django.urls import path

from . import views

app_name = "work"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("resume-quotidien/arreter/", views.digest_off, name="digest_off"),
]
