"""Reads of the coordination layer: who has held this quarter's meeting
(R2), the items a region's meeting may discuss, the latest good practices
(R19)."""

from django.db.models import Exists, OuterRef, Prefetch

from cadres.models import Cadre, CoordinatorRegion
from issues import workflow
from issues.models import IssueItem
from visits.quarters import Quarter

from .models import GoodPractice, Meeting

OPEN_ITEM_STATUSES = workflow.OPEN  # the issue list's own definition
ITEM_CHOICES_LIMIT = 300


def coordinators(quarter: Quarter, places=None, *, with_regions=True):
    """Active coordinators, each with ``held`` (a meeting in ``quarter``) and
    (``with_regions``) their region's towns; only those whose region touches
    ``places`` when given."""
    held = Meeting.objects.filter(coordinator=OuterRef("pk"), quarter=quarter.label)
    queryset = (
        Cadre.objects.filter(is_coordinator=True, is_active=True).annotate(held=Exists(held)).order_by("name")
    )
    if with_regions:
        regions = CoordinatorRegion.objects.select_related("place")
        queryset = queryset.prefetch_related(Prefetch("region_places", queryset=regions))
    if places is not None:
        queryset = queryset.filter(region_places__place_id__in=places).distinct()
    return queryset


def region_place_ids(coordinator):
    return list(CoordinatorRegion.objects.filter(cadre=coordinator).values_list("place_id", flat=True))


def discussable_items(place_ids, meeting=None):
    """Open items of the region's towns, newest first (at most 300), and
    those the meeting already discussed."""
    recent = (
        IssueItem.objects.filter(enterprise__place_id__in=place_ids, status__in=OPEN_ITEM_STATUSES)
        .order_by("-reported_on", "-pk")
        .values_list("pk", flat=True)[:ITEM_CHOICES_LIMIT]
    )
    ids = set(recent)
    if meeting is not None and meeting.pk:
        ids |= set(meeting.items.values_list("pk", flat=True))
    return IssueItem.objects.filter(pk__in=ids).select_related("enterprise").order_by("-reported_on", "-pk")


def meetings_in(quarter: Quarter):
    return (
        Meeting.objects.filter(quarter=quarter.label).select_related("coordinator").order_by("held_on", "pk")
    )


def published_practices():
    return GoodPractice.objects.filter(published_on__isnull=False).order_by("-published_on", "-pk")
