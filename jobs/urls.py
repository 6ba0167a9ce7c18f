"""The jobs pages' routes are declared beside their views (``@route``, :mod:`tabular.routes`)."""

from . import views

app_name = "jobs"

urlpatterns = views.route.urlpatterns()
