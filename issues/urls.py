"""The issues pages' routes are declared beside their views (``@route``, :mod:`tabular.routes`)."""

from . import spot_views, views

app_name = "issues"

urlpatterns = views.route.urlpatterns() + spot_views.route.urlpatterns()
