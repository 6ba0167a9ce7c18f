"""A message or an error is shown once: base.html shows the messages, so no
page repeats them, and a form rendered with ``as_p`` is not given its
non-field errors a second time."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cadres.models import CoordinatorRegion
from coordination.models import Meeting
from issues.models import IssueItem
from tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate().isoformat()


@pytest.fixture
def coordinator(client):
    place = f.PlaceFactory(name="濮院镇")
    leader = f.CityLeaderFactory(name="总协调人", is_coordinator=True)
    CoordinatorRegion.objects.create(cadre=leader, place=place)
    client.force_login(f.user_with_role("leader", cadre=leader, username="coordinator"))
    return leader, place


def test_a_recorded_meeting_is_announced_once(client, coordinator):
    leader, place = coordinator
    response = client.post(
        reverse("coordination:meeting_new"),
        {"held_on": TODAY, "places": [place.pk], "topics": "订单形势"},
        follow=True,
    )
    page = response.content.decode()
    assert Meeting.objects.count() == 1
    assert page.count("形势分析会已记录。") == 1


def test_an_illegal_escalation_from_a_meeting_is_reported_once(client, coordinator):
    """The item is still 新提交: the escalation path refuses the move (R14)."""
    leader, place = coordinator
    item = IssueItem.objects.create(
        enterprise=f.EnterpriseFactory(place=place),
        reporter=f.CadreFactory(),
        category="other",
        description="道路破损",
        status=IssueItem.Status.NEW,
    )
    client.post(
        reverse("coordination:meeting_new"),
        {"held_on": TODAY, "places": [place.pk], "topics": "x", "items": [item.pk]},
    )
    meeting = Meeting.objects.get()
    row = meeting.meetingitem_set.get()
    a, b = f.UnitFactory(name="市交通运输局"), f.UnitFactory(name="市住建局")
    response = client.post(
        reverse("coordination:meeting", args=[meeting.pk]),
        {
            "row": row.pk,
            "action": "escalate",
            f"e{row.pk}-leader": leader.pk,
            f"e{row.pk}-departments": [a.pk, b.pk],
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    item.refresh_from_db()
    assert item.status == IssueItem.Status.NEW
    errors = page.split('class="errorlist nonfield"')
    assert len(errors) == 2, page  # exactly one list of non-field errors
    message = errors[1].split("<li>")[1].split("</li>")[0]
    assert message and page.count(message) == 1


def test_a_dashboard_recount_is_announced_once(client, staff_user):
    client.force_login(staff_user)
    response = client.post(reverse("dashboards:refresh"), follow=True)
    page = response.content.decode()
    assert page.count("的数据已重新统计") == 1
