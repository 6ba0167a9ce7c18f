"""The ``percent`` template library (``{% load percent %}``), registered in
``TEMPLATES['OPTIONS']['libraries']``: :mod:`tabular` is not an app, and
every app's pages write rates the one way of :mod:`tabular.percent`."""

from django import template

from . import percent as rule

register = template.Library()
register.filter("percent", rule.percent)
