"""The visits pages' routes are declared beside their views (``@route``, :mod:`tabular.routes`)."""

from . import views

app_name = "visits"

urlpatterns = views.route.urlpatterns()
