"""The page an invitation's e-mailed link opens (/comptes/invitation/<token>/), mounted in
config/urls.py: it belongs to partnerships (the role it gives), under the accounts' address."""

from django.urls import path

from . import views

app_name = "invitations"
urlpatterns = [
    path("<str:token>/", views.accept_invitation, name="accept"),
]
