from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("notices/", views.notices, name="notices"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/download/", views.report_download, name="report_download"),
    path("reports/quarters/", views.quarters, name="quarters"),
    path("reports/quarters/act/", views.quarter_action, name="quarter_action"),
]
