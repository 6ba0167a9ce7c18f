"""The dashboards pages' routes are declared beside their views (``@route``, :mod:`tabular.routes`)."""

from . import views

app_name = "dashboards"

urlpatterns = views.route.urlpatterns()
