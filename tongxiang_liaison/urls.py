"""URL map. Apps own their pages; this module only mounts them."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import health, views

admin.site.site_header = admin.site.site_title = _("桐乡市“干部联千企、服务助转型”联络系统")
admin.site.index_title = _("市联络办管理")
admin.site.index_template = "admin/liaison_index.html"  # with the missing-holidays warning

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # The enterprise pages: the one prefix a site may expose to the internet.
    path("qiye/", include("tongxiang_liaison.portal.urls")),
    path("", include("cadres.urls")),
    path("", include("tongxiang_liaison.feedback")),
    path("", include("tongxiang_liaison.card_views")),
    path("", include("visits.urls")),
    path("", include("issues.urls")),
    path("", include("multiplication.urls")),
    path("", include("coordination.urls")),
    path("", include("dashboards.urls")),
    path("", include("jobs.urls")),
]
