"""What the problem-life walk (tests/browser/test_problem_life.py) found, at
the speed of the test client: the item page shows each slip's outcome, the
timeline names a slip step by what happened, a recorded 批示 is shown to amend,
a spot check's date is today by default and its notice's heading reads
well around the batch's title (R13, R15)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cadres.models import Cadre
from issues import services, spotchecks
from issues.models import IssueItem
from tests.factories import CadreFactory, EnterpriseFactory, PairingFactory, UnitFactory, user_with_role
from visits.quarters import Quarter

pytestmark = pytest.mark.django_db


def office_item(reporter):
    return IssueItem.objects.create(
        enterprise=EnterpriseFactory(name="桐乡市恒新毛针织有限公司"),
        reporter=reporter,
        category="funding",
        description="流动资金缺口",
        status=IssueItem.Status.OFFICE,
    )


@pytest.fixture
def reporter():
    cadre = CadreFactory(name="叶文海")
    user_with_role("cadre", cadre=cadre, username="ganbu")
    return cadre


def test_the_cadre_sees_the_referral_outcome_and_a_named_answer_step(client, staff_user, officer_a, reporter):
    slip = services.refer(office_item(reporter), department=officer_a.cadre.unit, by=staff_user)
    services.answer(slip, measures="约谈合作银行", result="已续贷", by=officer_a)
    services.accept(slip, by=staff_user)
    client.force_login(reporter.user)
    page = client.get(reverse("issues:item", args=[slip.item.pk])).content.decode()
    row = re.search(rf'<tr data-slip="{slip.pk}">(.*?)</tr>', page, re.S).group(1)
    for text in (slip.serial, "已办结", "市经信局", "约谈合作银行", "已续贷"):
        assert text in row, text
    answered = re.search(r'<li data-kind="answered">(.*?)</li>', page, re.S).group(1)
    assert "部门反馈" in answered and "已交办 →" not in answered  # not "已交办 → 已交办"


def test_the_escalation_outcome_is_on_the_item_and_the_instruction_is_shown_to_amend(
    client, staff_user, reporter
):
    leader = CadreFactory(name="沈市长", rank=Cadre.Rank.CITY_LEADER, unit=UnitFactory(name="市政府"))
    departments = [UnitFactory(name="市环保局"), UnitFactory(name="市国土局")]
    slip = services.escalate(office_item(reporter), leader=leader, departments=departments, by=staff_user)
    services.record_instruction(slip, instruction="请两部门会商", by=staff_user)
    client.force_login(staff_user)
    page = client.get(reverse("issues:escalation", args=[slip.pk])).content.decode()
    assert re.search(r'<textarea name="instruction"[^>]*>\s*请两部门会商</textarea>', page)
    assert "修改批示" in page
    services.conclude_escalation(slip, result="专题会议协调解决", solved=True, by=staff_user)
    client.force_login(reporter.user)
    page = client.get(reverse("issues:item", args=[slip.item.pk])).content.decode()
    row = re.search(rf'<tr data-escalation="{slip.pk}">(.*?)</tr>', page, re.S).group(1)
    for text in (slip.serial, "沈市长", "市环保局", "市国土局", "请两部门会商", "专题会议协调解决"):
        assert text in row, text
    instructed = re.search(r'<li data-kind="instructed">(.*?)</li>', page, re.S).group(1)
    assert "领导批示" in instructed and "请两部门会商" in instructed


def test_a_spot_check_date_is_today_in_the_form_a_date_input_reads(client):
    today = timezone.localdate()
    PairingFactory(start_date=today - datetime.timedelta(days=400))
    supervisor = user_with_role("supervisor", username="ducha")
    batch = spotchecks.create_batch(quarter=Quarter.of(today), size=1, seed=1, title="", by=supervisor)
    client.force_login(supervisor)
    page = client.get(reverse("issues:spotcheck_batch", args=[batch.pk])).content.decode()
    assert re.search(rf'type="date" name="c\d+-checked_on" value="{today.isoformat()}"', page), page
    notice = client.get(reverse("issues:spotcheck_notice", args=[batch.pk])).content.decode()
    assert f"关于{batch.title}的通报" in notice  # not "……抽查情况的通报" around a title that says 情况
