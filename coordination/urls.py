"""The coordination pages' routes are declared beside their views (``@route``, :mod:`tabular.routes`)."""

from . import views

app_name = "coordination"

urlpatterns = views.route.urlpatterns()
