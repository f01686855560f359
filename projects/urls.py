from django.urls import path

from . import views
from .budget_views import budget_line_add, partnership_budget_page, project_budget_page, spending_add

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("budget/", partnership_budget_page, name="budgets"),
    path("<int:pk>/budget/", project_budget_page, name="budget"),
    path("<int:pk>/budget/lignes/", budget_line_add, name="budget_line_add"),
    path("<int:pk>/budget/depenses/", spending_add, name="spending_add"),
]
urlpatterns += [
    path("nouveau/", views.project_new, name="new"),
    path("<int:pk>/modifier/", views.project_edit, name="edit"),
    path("<int:pk>/etape/", views.project_stage, name="stage"),
    path("<int:pk>/jalons/", views.milestone_add, name="milestone_add"),
    path("<int:pk>/jalons/<int:milestone>/atteint/", views.milestone_done, name="milestone_done"),
    path("<int:pk>/partenaires/", views.partner_add, name="partner_add"),
    path("<int:pk>/partenaires/<int:partner>/retirer/", views.partner_remove, name="partner_remove"),
]
