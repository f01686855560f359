from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("<slug:network_slug>/", views.network, name="detail"),
]
