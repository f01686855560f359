from django.urls import path

from . import views

app_name = "participation"
urlpatterns = [
    path("", views.forum_list, name="forums"),
    path("<int:pk>/", views.forum_detail, name="forum"),
    path("<int:pk>/phase/", views.forum_phase, name="forum_phase"),
    path("<int:pk>/propositions/papier/", views.proposal_paper, name="proposal_paper"),
    path("<int:pk>/propositions/<int:number>/", views.proposal_decide, name="proposal_decide"),
    path("<int:pk>/codes/", views.codes, name="codes"),
    path("<int:pk>/lots/", views.batches, name="batches"),
    path("<int:pk>/lots/<int:batch>/", views.batch_detail, name="batch"),
    path("<int:pk>/lots/<int:batch>/verifier/", views.batch_confirm, name="batch_confirm"),
]
