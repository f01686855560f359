from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("rapports/", views.index, name="index"),
    path("rapports/<int:year>/", views.annual_page, name="annual"),
    path("rapports/<int:year>/rapport.<str:fmt>", views.annual_file, name="file"),
    path("rapports/<int:year>/en-arriere-plan/", views.background, name="background"),
    path("rapports/<int:year>/recits/<str:code>/", views.narrative, name="narrative"),
    path("territoire/", views.coverage_page, name="coverage"),
    path("rapports/iati.xml", views.iati_file, name="iati"),
    path("rapports/taches/<int:pk>/", views.job, name="job"),
    path("rapports/taches/<int:pk>/fichier", views.job_file, name="job_file"),
    path("rapports/exports/", views.exports_page, name="exports"),
    path("rapports/exports/<str:what>.csv", views.export, name="export"),
    path("rapports/exports/<str:what>/en-arriere-plan/", views.export_background, name="export_background"),
    path("imports/", views.import_upload, name="import_upload"),
    path("imports/<int:pk>/correspondance/", views.import_mapping, name="import_mapping"),
    path("imports/<int:pk>/essai/", views.import_dry_run, name="import_dry_run"),
    path("imports/exemple.xlsx", views.import_sample, name="import_sample"),
]
