from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("login/code/", views.code, name="code"),
    path("choose/", views.choose, name="choose"),
    path("", views.home, name="home"),
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("new/", views.new_request, name="new_request"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("signout/", views.signout, name="signout"),
    path("language/", views.language, name="language"),
]
