from django.urls import path

from . import views

app_name = "issues"

urlpatterns = [
    path("slips/", views.inbox, name="inbox"),
    path("slips/<int:pk>/", views.slip_detail, name="slip"),
    path("slips/<int:pk>/print/", views.slip_print, name="slip_print"),
    path("items/<int:pk>/", views.item_detail, name="item"),
]
