from django.urls import path

from . import views

app_name = "coordination"

urlpatterns = [
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("practices/", views.practices, name="practices"),
    path("practices/<int:pk>/", views.practice_detail, name="practice"),
]
