from django.urls import path

from . import views

app_name = "multiplication"

urlpatterns = [
    path("doubling/", views.overview, name="overview"),
    path("doubling/pipeline/", views.pipeline, name="pipeline"),
    path("doubling/<str:category>/", views.members, name="members"),
    path("doubling/<str:category>/export.xlsx", views.members_xlsx, name="members_xlsx"),
]
