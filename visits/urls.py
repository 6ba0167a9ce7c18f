from django.urls import path

from . import views

app_name = "visits"

urlpatterns = [
    path("my/", views.my_enterprises, name="my"),
    path("services/", views.service_lists, name="services"),
    path("visits/<int:pk>/", views.visit_detail, name="detail"),
    path("visits/<int:pk>/print/", views.visit_print, name="print"),
    path("visits/<int:pk>/export.xlsx", views.visit_xlsx, name="xlsx"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/overdue/", views.coverage_overdue, name="overdue"),
]
