"""How the dashboard writes its numbers: rates with one decimal, as the
quarterly report's cells show them (0.0%), and quarter-on-quarter changes."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def percent(value):
    """0.6667 → 66.7%; None (nothing to count) → —."""
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def rate_change(pair):
    """(this quarter's rate, last quarter's) → +3.2 个百分点; — when either
    quarter had nothing to count."""
    now, before = pair
    if now is None or before is None:
        return "—"
    return _("%(points)s 个百分点") % {"points": f"{(now - before) * 100:+.1f}"}


@register.filter
def count_change(pair):
    now, before = pair
    return f"{now - before:+d}"


@register.simple_tag
def pair(a, b):
    return (a, b)
