from django.urls import path

from . import views

app_name = "partnerships"
urlpatterns = [
    path("", views.detail, name="detail"),
    path("nominations/", views.appointments, name="appointments"),
    path("nominations/<int:pk>/", views.appointment_confirm, name="appointment_confirm"),
    path("nominations/<int:pk>/retirer/", views.appointment_withdraw, name="appointment_withdraw"),
]
