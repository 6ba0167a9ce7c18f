"""The multiplication pages' routes are declared beside their views (``@route``, :mod:`tabular.routes`)."""

from . import views

app_name = "multiplication"

urlpatterns = views.route.urlpatterns()
