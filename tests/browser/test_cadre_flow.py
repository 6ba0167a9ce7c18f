"""A cadre in a real browser: log in, see their enterprises, file a form with
one problem, see the pairing marked visited; another cadre cannot open it; the
page fits a 375-pixel phone (R7, R9)."""

import datetime
import re

import pytest
from django.utils import timezone

from issues.models import IssueItem
from tests.factories import CadreFactory, EnterpriseFactory, PairingFactory, PlaceFactory, user_with_role
from visits.models import Visit

from .conftest import login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("role_groups")]


@pytest.fixture
def cadre_with_pairings():
    cadre = CadreFactory(name="叶文海")
    user = user_with_role("cadre", cadre=cadre, username="ganbu")
    start = timezone.localdate() - datetime.timedelta(days=200)
    place = PlaceFactory(name="濮院镇")
    first = PairingFactory(
        cadre=cadre,
        enterprise=EnterpriseFactory(name="桐乡市恒新毛针织有限公司", place=place),
        start_date=start,
    )
    PairingFactory(
        cadre=cadre,
        enterprise=EnterpriseFactory(
            name="浙江双箭橡胶股份有限公司桐乡市濮院镇第二分厂（特种输送带车间）", place=place
        ),
        start_date=start,
    )
    return user, first


def test_cadre_files_a_form_and_the_pairing_is_marked_visited(
    live_server, new_page, screenshot, cadre_with_pairings
):
    user, pairing = cadre_with_pairings
    page = new_page()
    login(page, live_server.url, "ganbu")
    page.wait_for_url(re.compile(r"/my/$"))
    card = page.locator(f"li[data-pairing='{pairing.pk}']")
    assert "桐乡市恒新毛针织有限公司" in card.inner_text()
    assert "本季度已走访" not in card.inner_text()
    screenshot(page, "cadre-my-enterprises-before")

    card.get_by_text("填写走访反馈表").click()
    page.wait_for_url(re.compile(r"/visits/new/\d+/$"))
    page.check("input[name=mode][value=onsite]")
    page.check("#id_met_head")
    page.fill("#id_situation", "订单饱满，生产正常。")
    page.select_option("#id_problems-0-category", "labour")
    page.fill("#id_problems-0-description", "一线操作工招工难")
    screenshot(page, "cadre-visit-form")
    page.click("button[name=action][value=submit]")
    page.wait_for_url(re.compile(r"/visits/\d+/$"))
    assert "已提交" in page.inner_text("h1")
    screenshot(page, "cadre-visit-submitted")

    page.goto(f"{live_server.url}/my/")
    assert "本季度已走访" in page.locator(f"li[data-pairing='{pairing.pk}']").inner_text()
    screenshot(page, "cadre-my-enterprises-after")
    visit = Visit.objects.get()
    assert visit.status == "submitted" and IssueItem.objects.get().description == "一线操作工招工难"

    # A second cadre, in a separate browser context, cannot open that form.
    other = CadreFactory(name="别的干部")
    user_with_role("cadre", cadre=other, username="other")
    intruder = new_page()
    login(intruder, live_server.url, "other")
    intruder.wait_for_url(re.compile(r"/my/$"))
    for path in (f"/visits/{visit.pk}/", f"/visits/{visit.pk}/print/", f"/visits/new/{pairing.pk}/"):
        response = intruder.goto(f"{live_server.url}{path}")
        assert response.status == 404, path


def test_my_enterprises_fits_a_375_pixel_phone(live_server, new_page, screenshot, cadre_with_pairings):
    page = new_page(width=375, height=812)
    login(page, live_server.url, "ganbu")
    page.wait_for_url(re.compile(r"/my/$"))
    assert page.evaluate("getComputedStyle(document.body).fontFamily")  # the site stylesheet loaded
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1] == 375, widths
    overflowing = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 375.5).length"
    )
    assert overflowing == 0
    screenshot(page, "cadre-my-enterprises-375")
    page.click("li.card >> nth=0 >> text=填写走访反馈表")
    page.wait_for_url(re.compile(r"/visits/new/\d+/$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "cadre-visit-form-375")
