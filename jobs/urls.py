from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [path("notices/", views.notices, name="notices")]
