"""The cadres pages' routes are declared beside their views (``@route``, :mod:`tabular.routes`)."""

from . import views

app_name = "cadres"

urlpatterns = views.route.urlpatterns()
