"""The portal pages' routes are declared beside their views (``@route``, :mod:`tabular.routes`)."""

from . import views

app_name = "portal"

urlpatterns = views.route.urlpatterns()
