"""Writes to the issue list."""

from django.db import transaction

from .models import IssueItem


@transaction.atomic
def items_from_visit(visit):
    """Each problem row of a submitted form becomes one issue-list item (R11),
    once: a second call (a staff correction, a retried job) adds only rows
    that have no item yet and updates the text of those that do."""
    created = []
    for problem in visit.problems.all():
        item, new = IssueItem.objects.update_or_create(
            visit_problem=problem,
            defaults={
                "enterprise_id": visit.enterprise_id,
                "visit": visit,
                "reporter_id": visit.cadre_id,
                "category": problem.category,
                "description": problem.description,
            },
        )
        if new:
            created.append(item)
    return created
