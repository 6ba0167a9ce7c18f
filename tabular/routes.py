"""Routes declared beside their views.

A view says in one line its address, its methods, and who may open it::

    route = Routes()


    @route.post("slips/<int:pk>/answer/", name="slip_answer")
    def slip_answer(request, pk): ...


    @route("meetings/", name="meetings", allow=access.can_view_meetings)
    def meetings(request): ...

and the app's ``urls.py`` mounts ``route.urlpatterns()``. Every route asks,
in this order, as ``@login_required`` over ``@require_POST`` over the view's
own first check would:

1. **sign-in**: the app's ``sign_in`` decorator (``login_required`` for the
   staff pages, the portal's ``contact_required`` for the enterprise's); a
   ``public=True`` route skips it (the sign-in pages themselves);
2. **methods**: ``route.get`` (GET), ``route.post``, ``route.form``
   (GET and POST); plain ``route`` takes any method;
3. **allow**: a permission function of the user (``cadres.permissions`` or the
   app's ``access`` module); false answers 403 before the view looks anything
   up, so an id that exists and one that does not answer alike. Rules about
   one row stay in the view, on the user's own queryset (404).

The routes are tried in the order the views are written, as Django tries a
``urlpatterns`` list, so a fixed path (``doubling/pipeline/``) is written
before a pattern that would also match it (``doubling/<str:category>/``);
``tests/test_routes.py`` checks that no route hides another.

What is mounted is the module's own attribute of the view's name when the URL
conf is read, so a decorator written above ``@route`` is served too, never
the bare function."""

import functools
import sys

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.urls import path
from django.views.decorators.http import require_http_methods


def _allowing(allow, view):
    @functools.wraps(view)
    def allowed(request, *args, **kwargs):
        if not allow(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return allowed


class Routes:
    """One views module's routes, in the order declared."""

    def __init__(self, sign_in=login_required):
        self.sign_in = sign_in
        self._declared = []

    def __call__(self, route, *, name, methods=None, allow=None, public=False):
        def declare(view):
            if allow is not None:
                view = _allowing(allow, view)
            if methods is not None:
                view = require_http_methods(methods)(view)
            if not public:
                view = self.sign_in(view)
            self._declared.append((route, view.__module__, view.__name__, name))
            return view

        return declare

    def get(self, route, **options):
        return self(route, methods=["GET"], **options)

    def post(self, route, **options):
        return self(route, methods=["POST"], **options)

    def form(self, route, **options):
        return self(route, methods=["GET", "POST"], **options)

    def urlpatterns(self):
        return [
            path(route, getattr(sys.modules[module], attribute), name=name)
            for route, module, attribute, name in self._declared
        ]
