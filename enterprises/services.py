"""Writes to the enterprise register outside its own import and admin."""

from .models import Enterprise


def add_enterprises(rows):
    """Add enterprises named by another list (a category list's rows the
    register lacks, when staff choose to add them). ``rows``: dicts with
    ``credit_code``, ``name``, ``place`` and optional ``annual_revenue`` /
    ``revenue_year``; validated by the caller. Returns them saved."""
    enterprises = [Enterprise(**row) for row in rows]
    for enterprise in enterprises:
        enterprise.full_clean(validate_unique=False, validate_constraints=False)
    return Enterprise.objects.bulk_create(enterprises)
