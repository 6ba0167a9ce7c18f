"""The service cards in Chromium (issue 17): the office opens a unit's sheet
and an enterprise's card, prints them to PDF, and every card stands whole on
one A4 page, ten to a page; screenshots of one card and one sheet page."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    CadreFactory,
    EnterpriseFactory,
    PairingFactory,
    TownUnitFactory,
    UnitFactory,
    user_with_role,
)

from .conftest import ARTIFACTS, login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("role_groups")]

A4_HEIGHT_PX = 297 / 25.4 * 96


def pages_of(pdf):
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def test_a_sheet_prints_ten_whole_cards_a_page(live_server, new_page, screenshot, settings):
    settings.LIAISON_OFFICE_PHONE = "0573-88888888"
    unit, town = UnitFactory(name="市经济和信息化局"), TownUnitFactory()
    start = timezone.localdate() - datetime.timedelta(days=30)
    local = CadreFactory(name="沈建国", unit=town, title="副镇长")
    names = ["桐乡市恒新毛针织有限公司", "浙江华友钴业股份有限公司", "巨石集团有限公司"]
    names += [f"桐乡市第{n}化纤纺织科技有限公司" for n in range(9)]
    first = None
    for n, name in enumerate(names):
        enterprise = EnterpriseFactory(name=name)
        first = first or enterprise
        cadre = CadreFactory(name=f"陈{'一二三四五六七八九十甲乙'[n]}明", unit=unit)
        PairingFactory(cadre=cadre, enterprise=enterprise, start_date=start)
        if n < 3:
            PairingFactory(cadre=local, enterprise=enterprise, start_date=start, kind="town")
    user_with_role("liaison_staff", username="staff")
    page = new_page(width=900, height=1200)
    login(page, live_server.url, "staff")

    page.goto(live_server.url + reverse("cards:unit", args=[unit.pk]))
    assert page.locator("article.card").count() == 12
    assert page.locator("section.sheet").count() == 2
    assert "扫码登录企业服务页" in page.inner_text("section.sheet >> nth=0")
    page.locator("section.sheet").first.screenshot(path=str(ARTIFACTS / "service-card-sheet.png"))
    page.emulate_media(media="print")
    # Each card within one A4 page of the printed flow (the sheets are A4 tall, margins none).
    boxes = page.eval_on_selector_all(
        "article.card",
        "cards => cards.map(c => c.getBoundingClientRect()).map(r => [r.top + scrollY, r.bottom + scrollY])",
    )
    offset = page.eval_on_selector("section.sheet", "s => s.getBoundingClientRect().top + scrollY")
    for top, bottom in boxes:
        assert int((top - offset) // A4_HEIGHT_PX) == int((bottom - offset - 1) // A4_HEIGHT_PX)
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (ARTIFACTS / "service-card-sheet.pdf").write_bytes(pdf)
    assert pages_of(pdf) == 2

    page.emulate_media(media="screen")
    page.goto(live_server.url + reverse("cards:enterprise", args=[first.pk]))
    card = page.locator("article.card")
    assert "沈建国" in card.inner_text() and "0573-88888888" in card.inner_text()
    assert card.locator("svg.qr").count() == 1
    box = card.bounding_box()
    assert round(box["width"] / 96 * 25.4) == 90 and round(box["height"] / 96 * 25.4) == 54  # mm
    card.screenshot(path=str(ARTIFACTS / "service-card.png"))
    screenshot(page, "service-card-page")
    page.emulate_media(media="print")  # a PDF is drawn in the media emulated: screen was, for the screenshots
    single = page.pdf(prefer_css_page_size=True)
    (ARTIFACTS / "service-card.pdf").write_bytes(single)
    assert pages_of(single) == 1
