"""Routes are declared beside their views (``tabular.routes``): every address
still reaches its own view, fully decorated, and none hides another."""

import importlib

import pytest
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.urls.converters import IntConverter

from tabular.routes import Routes
from tests.permission_world import app_urls


def _sample_kwargs(pattern):
    return {
        name: 7 if isinstance(converter, IntConverter) else "sample"
        for name, converter in pattern.pattern.converters.items()
    }


@pytest.mark.parametrize("name", sorted(app_urls()))
def test_every_address_reaches_its_own_view(name):
    """A route written after another that also matches it would be hidden
    (``doubling/pipeline/`` after ``doubling/<str:category>/``)."""
    pattern = app_urls()[name]
    url = reverse(name, kwargs=_sample_kwargs(pattern))
    match = resolve(url)
    assert match.view_name == name, f"{url} reaches {match.view_name}, not {name}"


@pytest.mark.parametrize("name", sorted(app_urls()))
def test_every_address_serves_the_decorated_view(name):
    """What is mounted is the module's own attribute, the view with its login
    and method checks, not the bare function under them."""
    callback = app_urls()[name].callback
    if hasattr(callback, "view_class"):  # the auth views (as_view)
        return
    module = importlib.import_module(callback.__module__)
    assert getattr(module, callback.__name__) is callback


_route = Routes()


@login_required  # above the route: the route alone would mount the bare function
@_route("x/", name="x")
def _guarded(request):
    return "served"


def test_a_route_below_the_login_still_mounts_the_login():
    """Whichever side of ``@login_required`` the ``@route`` stands, the URL
    serves the decorated view: an anonymous request is sent to log in."""
    (pattern,) = _route.urlpatterns()
    assert pattern.callback is _guarded
    request = RequestFactory().get("/x/")
    request.user = AnonymousUser()
    response = pattern.callback(request)
    assert response.status_code == 302 and "/login/" in response["Location"]
