"""The feedback form on a 375-pixel phone: the new form, a saved draft and the
submitted form fit the width (no sideways scrolling) and read in one column;
the character counter follows what is typed; the A4 print keeps its
two-column government layout. Screenshots go to artifacts/."""

import datetime
import re

import pytest
from django.utils import timezone

from tests.factories import CadreFactory, EnterpriseFactory, PairingFactory, PlaceFactory, user_with_role
from visits.models import Visit

from .conftest import login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("role_groups")]
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def pairing():
    cadre = CadreFactory(name="叶文海")
    user_with_role("cadre", cadre=cadre, username="ganbu")
    CadreFactory(name="同行的干部")
    return PairingFactory(
        cadre=cadre,
        enterprise=EnterpriseFactory(
            name="浙江双箭橡胶股份有限公司桐乡市濮院镇第二分厂（特种输送带车间）",
            place=PlaceFactory(name="濮院镇"),
        ),
        start_date=timezone.localdate() - datetime.timedelta(days=200),
    )


def fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def one_column(page, selector=".form-table tr:first-child"):
    """The label sits above its value, not beside it."""
    th = page.locator(f"{selector} th").first.bounding_box()
    td = page.locator(f"{selector} td").first.bounding_box()
    assert td["y"] >= th["y"] + th["height"] - 1 and abs(td["x"] - th["x"]) < 2, (th, td)


def test_the_feedback_form_reads_on_a_phone(live_server, new_page, screenshot, pairing):
    page = new_page(**PHONE)
    login(page, live_server.url, "ganbu")
    page.wait_for_url(re.compile(r"/my/$"))
    fits(page)

    page.goto(f"{live_server.url}/visits/new/{pairing.pk}/")
    fits(page)
    screenshot(page, "phone-visit-new")
    output, sales = page.locator("#id_output_value").bounding_box(), page.locator("#id_sales").bounding_box()
    assert sales["y"] > output["y"] + output["height"] - 1  # the figures stack too

    page.check("input[name=mode][value=onsite]")
    page.check("#id_met_head")
    counter = page.locator("#id_situation + .counter")
    assert counter.inner_text() == "0 / 2000"
    page.fill("#id_situation", "订单饱满，生产正常。" * 12)
    assert counter.inner_text() == "120 / 2000"
    page.select_option("#id_problems-0-category", "labour")
    page.fill("#id_problems-0-description", "一线操作工招工难，" * 20)
    assert page.locator("#id_problems-0-description + .counter").inner_text() == "180 / 1000"
    page.click("button[name=action][value=draft]")
    page.wait_for_url(re.compile(r"/visits/\d+/edit/$"))
    fits(page)
    assert page.locator("#id_situation + .counter").inner_text() == "120 / 2000"
    screenshot(page, "phone-visit-draft")

    page.click("button[name=action][value=submit]")
    page.wait_for_url(re.compile(r"/visits/\d+/$"))
    assert "已提交" in page.inner_text("h1")
    fits(page)
    one_column(page)
    screenshot(page, "phone-visit-submitted")

    visit = Visit.objects.get()
    page.goto(f"{live_server.url}/visits/{visit.pk}/print/")
    th = page.locator(".form-table tr:first-child th").first.bounding_box()
    td = page.locator(".form-table tr:first-child td").first.bounding_box()
    assert td["x"] > th["x"] + th["width"] - 1  # the A4 layout: label beside value, as printed
    screenshot(page, "phone-visit-print")


def test_the_form_works_without_javascript(browser, live_server, screenshot, pairing):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        login(page, live_server.url, "ganbu")
        page.wait_for_url(re.compile(r"/my/$"))
        page.goto(f"{live_server.url}/visits/new/{pairing.pk}/")
        assert page.locator(".counter").count() == 0
        page.check("input[name=mode][value=onsite]")
        page.fill("#id_situation", "订单饱满")
        page.click("button[name=action][value=draft]")
        page.wait_for_url(re.compile(r"/visits/\d+/edit/$"))
        fits(page)
        screenshot(page, "phone-visit-draft-no-js")
    finally:
        context.close()
