from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("second-facteur/", views.otp_verify, name="otp"),
    path("second-facteur/activer/", views.otp_setup, name="otp_setup"),
    path("jetons/", views.tokens, name="tokens"),
    path("jetons/<int:pk>/revoquer/", views.token_revoke, name="token_revoke"),
]
