from django.urls import path

from . import evaluation_views, survey_views, views
from .budget_views import budget_line_add, partnership_budget_page, project_budget_page, spending_add

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("nouveau/", views.project_new, name="new"),
    path("<int:pk>/modifier/", views.project_edit, name="edit"),
    path("<int:pk>/etape/", views.project_stage, name="stage"),
    path("<int:pk>/jalons/", views.milestone_add, name="milestone_add"),
    path("<int:pk>/jalons/<int:milestone>/atteint/", views.milestone_done, name="milestone_done"),
    path("<int:pk>/partenaires/", views.partner_add, name="partner_add"),
    path("<int:pk>/partenaires/<int:partner>/retirer/", views.partner_remove, name="partner_remove"),
    path("budget/", partnership_budget_page, name="budgets"),
    path("<int:pk>/budget/", project_budget_page, name="budget"),
    path("<int:pk>/budget/lignes/", budget_line_add, name="budget_line_add"),
    path("<int:pk>/budget/depenses/", spending_add, name="spending_add"),
    path("<int:pk>/evaluations/", evaluation_views.evaluation_list, name="evaluations"),
    path("<int:pk>/evaluations/nouvelle/", evaluation_views.evaluation_new, name="evaluation_new"),
    path("enquetes/", survey_views.survey_list, name="surveys"),
    path("enquetes/<int:pk>/", survey_views.survey_detail, name="survey"),
    path("enquetes/<int:pk>/repondre/", survey_views.survey_answer, name="survey_answer"),
    path("enquetes/<int:pk>/importer/", survey_views.survey_import, name="survey_import"),
]
