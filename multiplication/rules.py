"""The six-doubling categories and their rules that are numbers (R17), each
in one place.

Thresholds are settings (``DOUBLING_*``), read here and nowhere else: the
revenue a 规上 or 亿元 enterprise needs, the band below it where the office
looks for candidates, the term of a high-tech certificate, and how far ahead
an expiring certificate counts as at risk.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

CERTIFICATE_YEARS = 3


class Category(TextChoices):
    """The six doubling categories of the notice (R17)."""

    ABOVE_SIZE = "above_size", _("规上企业")
    BILLION = "billion", _("亿元企业")
    FOREIGN = "foreign", _("外资企业")
    HIGH_TECH = "high_tech", _("高新技术企业")
    JOINT_STOCK = "joint_stock", _("股份制企业")
    LISTED = "listed", _("上市企业")


# Categories whose membership follows from annual revenue.
REVENUE_CATEGORIES = (Category.ABOVE_SIZE, Category.BILLION)


def revenue_threshold(category) -> Decimal:
    """Annual main-business revenue (万元) at or above which an enterprise
    belongs to ``category`` (规上: 2,000; 亿元: 10,000 by default)."""
    return Decimal(str(settings.DOUBLING_REVENUE_THRESHOLDS[Category(category).value]))


def candidate_floor(category) -> Decimal:
    """The bottom of the candidate band: revenue from here up to (not
    including) the threshold makes a candidate (规上 1,500; 亿元 8,000)."""
    return Decimal(str(settings.DOUBLING_CANDIDATE_FLOORS[Category(category).value]))


def qualifies(category, revenue) -> bool:
    """Derivation at the threshold: exactly the threshold qualifies (≥)."""
    return revenue is not None and Decimal(revenue) >= revenue_threshold(category)


def certificate_expiry(issued_on: datetime.date) -> datetime.date:
    """The last day a high-tech certificate issued on ``issued_on`` is valid:
    three years, the day before the anniversary (issued 2023-12-08, valid
    through 2026-12-07). A 29 February issue runs through 28 February."""
    try:
        anniversary = issued_on.replace(year=issued_on.year + CERTIFICATE_YEARS)
    except ValueError:
        anniversary = datetime.date(issued_on.year + CERTIFICATE_YEARS, 3, 1)
    return anniversary - datetime.timedelta(days=1)


def expiry_warning_days() -> int:
    return int(settings.DOUBLING_CERTIFICATE_WARNING_DAYS)
