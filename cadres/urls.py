from django.urls import path

from . import views

app_name = "cadres"

urlpatterns = [
    path("compliance/", views.compliance, name="compliance"),
    path("compliance/export.xlsx", views.compliance_xlsx, name="compliance_xlsx"),
    path("compliance/attachment2.xlsx", views.arrangement_xlsx, name="arrangement_xlsx"),
    # The contacts of an enterprise, for its cadres (issue 17).
    path("enterprises/<int:pk>/contacts/", views.contacts, name="contacts"),
    path("enterprises/<int:pk>/contacts/add/", views.contact_add, name="contact_add"),
    path("enterprises/<int:pk>/contacts/change/", views.contact_change, name="contact_change"),
    path("enterprises/<int:pk>/contacts/active/", views.contact_active, name="contact_active"),
]
