"""An officer answers a referral slip from the inbox; the liaison office
accepts it; the item shows 已解决 with its timeline (R13)."""

import re

import pytest

from issues import services
from issues.models import IssueItem
from tests.factories import CadreFactory, EnterpriseFactory, UnitFactory, user_with_role

from .conftest import login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("role_groups")]


def test_officer_answers_staff_accepts_item_resolved(live_server, new_page, screenshot):
    department = UnitFactory(name="市金融办")
    user_with_role("unit_officer", cadre=CadreFactory(unit=department, name="信息员"), username="officer")
    staff = user_with_role("liaison_staff", username="staff")
    item = IssueItem.objects.create(
        enterprise=EnterpriseFactory(name="桐乡市恒新毛针织有限公司"),
        reporter=CadreFactory(name="叶文海"),
        category="funding",
        description="流动资金贷款到期续贷困难",
        status=IssueItem.Status.OFFICE,
    )
    slip = services.refer(item, department=department, by=staff, requirement="请协调银行续贷")

    officer = new_page()
    login(officer, live_server.url, "officer")
    officer.goto(f"{live_server.url}/slips/")
    screenshot(officer, "officer-inbox")
    officer.click(f"li[data-slip='{slip.pk}'] a")
    officer.wait_for_url(re.compile(rf"/slips/{slip.pk}/$"))
    officer.fill("#id_measures", "约谈合作银行，提供担保")
    officer.fill("#id_result", "已续贷 500 万元")
    officer.click("button[name=action][value=answer]")
    officer.wait_for_load_state()
    assert "已反馈" in officer.inner_text("h1")

    office = new_page()
    login(office, live_server.url, "staff")
    office.goto(f"{live_server.url}/slips/{slip.pk}/")
    office.click("button[name=action][value=accept]")
    office.wait_for_load_state()
    assert "已办结" in office.inner_text("h1")
    office.goto(f"{live_server.url}/items/{item.pk}/")
    page_text = office.inner_text("main")
    assert "已解决" in page_text and "交办至市金融办" in page_text and "交办单办结" in page_text
    screenshot(office, "item-resolved-timeline")

    office.goto(f"{live_server.url}/slips/{slip.pk}/print/")
    assert slip.serial in office.inner_text("body")
    office.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    screenshot(office, "referral-slip-print")
