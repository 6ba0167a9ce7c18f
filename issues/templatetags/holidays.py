"""``{% holiday_warning %}``: tells liaison staff which years' holidays are
missing (this year, and from 1 November next year), on the landing page, the
slip inbox and the admin's index (:func:`issues.workdays.missing_years`)."""

from django import template
from django.urls import reverse
from django.utils import timezone

from cadres import permissions

from .. import workdays

register = template.Library()


@register.inclusion_tag("issues/_holiday_warning.html", takes_context=True)
def holiday_warning(context):
    user = context.get("user")
    if user is None or not permissions.is_liaison_staff(user):
        return {"years": []}
    return {
        "years": workdays.missing_years(timezone.localdate()),
        "enter_url": reverse("admin:issues_holidayyear_add"),
    }
