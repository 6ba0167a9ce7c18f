from django.urls import path

from . import views

app_name = "cadres"

urlpatterns = [
    path("compliance/", views.compliance, name="compliance"),
    path("compliance/export.xlsx", views.compliance_xlsx, name="compliance_xlsx"),
    path("compliance/attachment2.xlsx", views.arrangement_xlsx, name="arrangement_xlsx"),
]
