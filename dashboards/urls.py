from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/refresh/", views.refresh, name="refresh"),
    path("dashboard/unit/<int:pk>/", views.unit, name="unit"),
    path("dashboard/cadre/<int:pk>/", views.cadre, name="cadre"),
    path("dashboard/pairing/<int:pk>/", views.pairing, name="pairing"),
    path("evaluation/", views.evaluation, name="evaluation"),
    path("evaluation/export.xlsx", views.evaluation_xlsx, name="evaluation_xlsx"),
    path("evaluation/cadre/<int:pk>/", views.evaluation_cadre, name="evaluation_cadre"),
]
