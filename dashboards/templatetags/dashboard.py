"""How the dashboard writes quarter-on-quarter changes. Rates themselves are
written by the ``percent`` library (:mod:`tabular.percent`: half up, one
decimal, as the quarterly report's cells show them)."""

from django import template
from django.utils.translation import gettext as _

from tabular.percent import NONE, points

register = template.Library()


@register.filter
def rate_change(pair):
    """(this quarter's rate, last quarter's) → +3.2 个百分点, the difference
    of the two figures shown; — when either quarter had nothing to count."""
    change = points(*pair)
    return change if change == NONE else _("%(points)s 个百分点") % {"points": change}


@register.filter
def count_change(pair):
    now, before = pair
    return f"{now - before:+d}"


@register.simple_tag
def pair(a, b):
    return (a, b)
