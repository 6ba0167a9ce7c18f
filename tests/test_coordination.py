"""The coordination layer: situation-analysis meetings and their reminders
(R2), good practices (R19), service lists offered where a problem's category
meets a department's remit (R10), and the year-end evaluation sheet (R16)."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cadres.models import CoordinatorRegion, ServiceItem
from coordination import services
from coordination.models import GoodPractice, Meeting
from dashboards import evaluation
from issues.models import EscalationSlip, IssueItem, SpotCheck, SpotCheckBatch
from jobs import reminders
from jobs.models import ReminderLog
from tests import factories as f
from visits.models import ProblemRemit

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def region():
    puyuan = f.PlaceFactory(name="濮院镇")
    coordinator = f.CityLeaderFactory(name="总协调人", is_coordinator=True)
    CoordinatorRegion.objects.create(cadre=coordinator, place=puyuan)
    user = f.user_with_role("leader", cadre=coordinator, username="coordinator")
    user.email = "coordinator@example.com"
    user.save()
    return {"place": puyuan, "coordinator": coordinator, "user": user}


def region_item(place, description="两家企业共用道路破损，涉及交通、住建"):
    """An item of an enterprise in ``place`` that the office has taken on."""
    return f.office_item(
        enterprise=f.EnterpriseFactory(place=place),
        category="other",
        description=description,
        reported_on=D(2026, 10, 8),
    )


def test_a_coordinator_records_the_quarters_meeting_and_escalates_an_item(client, region):
    item = region_item(region["place"])
    head = f.CadreFactory(name="交通局长")
    transport, housing = f.UnitFactory(name="市交通运输局"), f.UnitFactory(name="市住建局")
    client.force_login(region["user"])

    form = client.get(reverse("coordination:meeting_new"))
    assert form.status_code == 200 and item.description in form.content.decode()
    response = client.post(
        reverse("coordination:meeting_new"),
        {
            "held_on": "2026-11-20",
            "location": "濮院镇政府",
            "places": [region["place"].pk],
            "attendees": [region["coordinator"].pk],
            "invited_officials": "濮院镇分管副镇长",
            "invited_owners": "恒新毛纺董事长",
            "topics": "四季度毛衫订单形势",
            "decisions": "道路问题呈报分管市领导协调",
            "items": [item.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting = Meeting.objects.get()
    assert (meeting.quarter, meeting.coordinator, list(meeting.items.all())) == (
        "2026Q4",
        region["coordinator"],
        [item],
    )
    assert head not in meeting.attendees.all()

    row = meeting.meetingitem_set.get()
    response = client.post(
        reverse("coordination:meeting", args=[meeting.pk]),
        {
            "row": row.pk,
            "action": "escalate",
            f"e{row.pk}-leader": region["coordinator"].pk,
            f"e{row.pk}-departments": [transport.pk, housing.pk],
            f"e{row.pk}-request": "请协调道路修复",
        },
    )
    assert response.status_code == 302
    slip = EscalationSlip.objects.get()
    item.refresh_from_db()
    assert item.status == IssueItem.Status.ESCALATED and "形势分析会研究决定呈报" in slip.request
    row.refresh_from_db()
    assert row.escalation == slip

    other = f.user_with_role("leader", cadre=f.CityLeaderFactory(name="其他领导"))
    client.force_login(other)
    assert client.get(reverse("coordination:meeting_edit", args=[meeting.pk])).status_code == 403
    assert client.get(reverse("coordination:meeting_new")).status_code == 403  # not a coordinator


def test_an_attendee_lists_and_opens_his_meetings_and_reads_only_his_items(client, region, staff_user):
    """The list, the navigation and the page agree; on the page an attendee
    reads the items he may see, and is told how many others there are."""
    attendee = f.CadreFactory(name="参会干部")
    own = region_item(region["place"], description="本人反映的用工问题")
    own.reporter = attendee
    own.save()
    foreign = region_item(region["place"], description="别家企业的资金问题")
    meeting = services.save_meeting(
        Meeting(coordinator=region["coordinator"], held_on=D(2026, 10, 20), topics="四季度形势"),
        places=[region["place"]], attendees=[attendee], items=[own, foreign], by=staff_user,
    )  # fmt: skip
    client.force_login(f.user_with_role("cadre", cadre=attendee, username="attendee"))
    listing = client.get(reverse("coordination:meetings"), {"quarter": "2026Q4"})
    assert listing.status_code == 200
    assert reverse("coordination:meeting", args=[meeting.pk]) in listing.content.decode()
    assert reverse("coordination:meetings") in client.get(reverse("visits:my")).content.decode()
    page = client.get(reverse("coordination:meeting", args=[meeting.pk])).content.decode()
    assert own.description in page and own.enterprise.name in page
    assert foreign.description not in page and foreign.enterprise.name not in page
    assert "另有 1 项问题不在您的查看范围内" in page
    assert client.get(reverse("coordination:meeting_edit", args=[meeting.pk])).status_code == 403

    outsider = f.user_with_role("cadre", cadre=f.CadreFactory(), username="outsider")
    client.force_login(outsider)
    assert client.get(reverse("coordination:meetings")).status_code == 403
    assert client.get(reverse("coordination:meeting", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("coordination:meeting_edit", args=[meeting.pk])).status_code == 404


def test_a_meeting_cannot_be_recorded_before_it_is_held(region):
    meeting = Meeting(coordinator=region["coordinator"], held_on=D(2099, 1, 1), topics="x")
    with pytest.raises(Exception) as exc:
        services.save_meeting(meeting, places=[], attendees=[], items=[], by=None)
    assert "held_on" in exc.value.message_dict


def test_coordinators_without_a_meeting_are_reminded_15_days_before_the_quarter_ends(region, staff_user):
    """R2: from 16 December for the fourth quarter, once; not those who met."""
    met = f.CityLeaderFactory(name="已开会", is_coordinator=True)
    f.user_with_role("leader", cadre=met)
    Meeting.objects.create(coordinator=met, held_on=D(2026, 10, 15), quarter="2026Q4", topics="x")

    assert reminders.meeting_messages(D(2026, 12, 15)) == []
    messages = reminders.meeting_messages(D(2026, 12, 16))
    to_coordinator = [m for m in messages if m.kind == "meeting"]
    assert [m.recipient_id for m in to_coordinator] == [region["user"].pk]
    assert "总协调人" in [m for m in messages if m.kind == "meeting_city"][0].body

    first = reminders.send_meeting_reminders(D(2026, 12, 16))
    second = reminders.send_meeting_reminders(D(2026, 12, 20))
    assert first.sent >= 1 and second.claimed == 0
    assert ReminderLog.objects.filter(kind="meeting").count() == 1


def test_good_practices_are_published_to_everyone_and_drafts_stay_with_staff(client):
    published = GoodPractice.objects.create(
        title="转贷应急资金帮企业续贷", summary="一周办结", body="正文", published_on=D(2026, 11, 1)
    )
    draft = GoodPractice.objects.create(title="草稿经验", summary="s", body="b")
    client.force_login(f.user_with_role("cadre", cadre=f.CadreFactory()))
    page = client.get(reverse("coordination:practices")).content.decode()
    assert published.title in page and draft.title not in page
    assert client.get(reverse("coordination:practice", args=[draft.pk])).status_code == 404
    client.force_login(f.user_with_role("leader"))
    assert published.title in client.get(reverse("dashboards:dashboard")).content.decode()


def test_the_feedback_form_offers_the_service_lists_of_departments_in_the_problems_remit(client):
    labour_bureau = f.UnitFactory(name="市人社局")
    ProblemRemit.objects.create(unit=labour_bureau, category="labour")
    ServiceItem.objects.create(unit=labour_bureau, title="用工招聘对接会")
    ServiceItem.objects.create(unit=f.UnitFactory(name="市税务局"), title="纳税信用修复")
    pairing = f.PairingFactory(start_date=D(2026, 3, 27))
    client.force_login(f.user_with_role("cadre", cadre=pairing.cadre))

    page = client.get(reverse("feedback:new", args=[pairing.pk])).content.decode()
    assert 'data-category="labour"' in page and "用工招聘对接会" in page
    assert "纳税信用修复" not in page  # no remit: not offered on the form
    listing = client.get(reverse("visits:services"), {"category": "labour"}).content.decode()
    assert "用工招聘对接会" in listing and "纳税信用修复" not in listing
    assert "纳税信用修复" in client.get(reverse("visits:services")).content.decode()


def test_the_year_end_sheet_counts_quarters_items_and_spot_checks(client, staff_user):
    unit = f.UnitFactory(name="市经信局")
    cadre = f.CadreFactory(unit=unit, name="甲")
    pairing = f.PairingFactory(cadre=cadre, start_date=D(2026, 1, 5))
    for day in (D(2026, 2, 10), D(2026, 8, 10)):
        f.submitted_visit(pairing, day)
    for status, resolved in (("resolved", D(2026, 9, 1)), ("new", None)):
        f.IssueItemFactory(
            enterprise=pairing.enterprise,
            reporter=cadre,
            category="labour",
            status=status,
            reported_on=D(2026, 3, 1),
            resolved_on=resolved,
            by=staff_user,
        )
    batch = SpotCheckBatch.objects.create(quarter="2026Q3", sample_size=1, seed=1, created_by=staff_user)
    SpotCheck.objects.create(
        batch=batch,
        cadre=cadre,
        enterprise=pairing.enterprise,
        checked_on=D(2026, 9, 5),
        visit_confirmed=False,
        finding="企业称三季度未见联系人",
    )

    (sheet,) = evaluation.unit_year(unit.pk, 2026, D(2026, 11, 26))
    # Q1–Q4 of 2026 counted so far: due in each (Q1 too: begun 85 days before its end), visited in Q1 and Q3.
    assert [(q.label, due, done) for q, due, done in sheet.quarters] == [
        ("2026Q1", 1, 1),
        ("2026Q2", 1, 0),
        ("2026Q3", 1, 1),
        ("2026Q4", 1, 0),
    ]
    assert (sheet.pairings, sheet.due, sheet.visited, sheet.coverage) == (1, 4, 2, 0.5)
    assert (sheet.figures.raised, sheet.figures.resolved, sheet.figures.rate) == (2, 1, 0.5)
    assert (sheet.checks, sheet.check_problems, sheet.findings) == (1, 1, ["企业称三季度未见联系人"])

    officer = f.user_with_role("unit_officer", cadre=f.CadreFactory(unit=unit))
    client.force_login(officer)
    page = client.get(reverse("dashboards:evaluation"), {"year": 2026}).content.decode()
    assert "市经信局 2026 年度联系干部考评" in page and "50.0%" in page
    response = client.get(reverse("dashboards:evaluation_xlsx"), {"year": 2026})
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[0] == "汇总" and "甲" in wb.sheetnames  # then one sheet per cadre
    # Another unit's sheet answers 404, as a unit that does not exist.
    assert client.get(reverse("dashboards:evaluation"), {"unit": f.UnitFactory().pk}).status_code == 404


def test_a_wrong_coordinator_in_the_address_leaves_the_choice_to_the_form(client, staff_user, region):
    client.force_login(staff_user)
    for value in ("x", "987654321", ""):
        response = client.get(reverse("coordination:meeting_new"), {"coordinator": value})
        assert response.status_code == 200, value
