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
