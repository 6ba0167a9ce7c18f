"""Writes of the coordination layer: recording a situation-analysis meeting
(R2) with the items it discussed, and escalating an item by the meeting's
decision through the issue list's own service (R13)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from issues import services as issue_services
from tabular.history import records_history_by

from .models import MeetingItem


@transaction.atomic
@records_history_by()
def save_meeting(meeting, *, places, attendees, items, by):
    """Validate and save a meeting with its towns, attendees and items; the
    decisions already written on items that stay are kept."""
    if meeting.recorded_by_id is None:
        meeting.recorded_by = by
    meeting.full_clean()
    meeting.save()
    meeting.places.set(places)
    meeting.attendees.set(attendees)
    wanted = {item.pk for item in items}
    MeetingItem.objects.filter(meeting=meeting).exclude(item_id__in=wanted).filter(
        escalation__isnull=True
    ).delete()
    present = set(MeetingItem.objects.filter(meeting=meeting).values_list("item_id", flat=True))
    bulk_create_with_history(  # each item's history, naming ``by`` (issue 14.4)
        [MeetingItem(meeting=meeting, item_id=pk) for pk in sorted(wanted - present)], MeetingItem
    )
    return meeting


@records_history_by()
def record_decision(meeting_item, decision, *, by=None):
    meeting_item.decision = decision.strip()
    meeting_item.save(update_fields=["decision"])
    return meeting_item


@transaction.atomic
@records_history_by()
def escalate_from_meeting(meeting_item, *, leader, departments, request, by):
    """The meeting decided to take an item to a city leader: an escalation
    slip (呈报单) issued by the issue list's own rule, noted on the item."""
    meeting_item = MeetingItem.objects.select_for_update().select_related("meeting").get(pk=meeting_item.pk)
    if meeting_item.escalation_id:
        raise ValidationError(_("该问题已按本次会议决定呈报。"))
    note = _("经 %(day)s 形势分析会研究决定呈报。") % {"day": meeting_item.meeting.held_on}
    slip = issue_services.escalate(
        meeting_item.item,
        leader=leader,
        departments=departments,
        by=by,
        request=f"{note}\n{request}".strip(),
    )
    meeting_item.escalation = slip
    if not meeting_item.decision:
        meeting_item.decision = _("呈报%(leader)s协调。") % {"leader": leader.name}
    meeting_item.save(update_fields=["escalation", "decision"])
    return slip
