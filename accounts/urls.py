from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("second-facteur/", views.otp_verify, name="otp"),
    path("second-facteur/activer/", views.otp_setup, name="otp_setup"),
    # Before the link pattern below, which would take "oublie/envoye/" for a uid and a token.
    path("mot-de-passe/oublie/", views.password_forgotten, name="password_forgotten"),
    path("mot-de-passe/oublie/envoye/", views.password_forgotten_sent, name="password_forgotten_sent"),
    path("mot-de-passe/changer/", views.PasswordChangeView.as_view(), name="password_change"),
    # docs/security.md 26: nobody sets another person's password; she chooses it from a link sent by
    # e-mail (partnerships/actions.py, send_password_reset). Django's own views, our templates.
    path(
        "mot-de-passe/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/enregistre/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("mon-compte/", views.account, name="account"),
    path("mon-compte/codes-de-secours/", views.backup_codes, name="backup_codes"),
    path("mon-compte/adresse/<str:token>/", views.email_confirm, name="email_confirm"),
    path("rester-connecte/", views.keepalive, name="keepalive"),
    path("reprendre/<uuid:pk>/", views.resume, name="resume"),
    path("jetons/", views.tokens, name="tokens"),
    path("jetons/<int:pk>/revoquer/", views.token_revoke, name="token_revoke"),
]
