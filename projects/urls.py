from django.urls import path

from . import evaluation_views, survey_views, views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/evaluations/", evaluation_views.evaluation_list, name="evaluations"),
    path("<int:pk>/evaluations/nouvelle/", evaluation_views.evaluation_new, name="evaluation_new"),
    path("enquetes/", survey_views.survey_list, name="surveys"),
    path("enquetes/<int:pk>/", survey_views.survey_detail, name="survey"),
    path("enquetes/<int:pk>/repondre/", survey_views.survey_answer, name="survey_answer"),
    path("enquetes/<int:pk>/importer/", survey_views.survey_import, name="survey_import"),
]
