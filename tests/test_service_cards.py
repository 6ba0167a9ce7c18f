"""The enterprises' service cards (issue 17): a card per enterprise with the
cadres who link it today (R6: a department cadre and a town cadre together),
the office's phone and a QR code to the enterprise's sign-in page; A4 sheets
of cards for a unit's pairings and for enterprises chosen in the admin.
Liaison staff only."""

import datetime
import re

import pytest
import segno
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cadres.models import Pairing
from tests.factories import (
    CadreFactory,
    CityLeaderFactory,
    EnterpriseFactory,
    PairingFactory,
    TownUnitFactory,
    UnitFactory,
    user_with_role,
)
from tongxiang_liaison import cards

pytestmark = pytest.mark.django_db

PHONE = "0573-81234567"


@pytest.fixture(autouse=True)
def _office_phone(settings):
    settings.LIAISON_OFFICE_PHONE = PHONE
    settings.ENTERPRISE_PORTAL_URL = ""


def pair(cadre, enterprise, **fields):
    start = timezone.localdate() - datetime.timedelta(days=100)
    return PairingFactory(cadre=cadre, enterprise=enterprise, start_date=start, **fields)


@pytest.fixture
def world():
    economy, commerce = UnitFactory(name="市经信局"), UnitFactory(name="市商务局")
    town = TownUnitFactory()
    first, second, third, gone = (
        EnterpriseFactory(name="桐乡市甲纺织有限公司"),
        EnterpriseFactory(name="桐乡市乙化纤有限公司"),
        EnterpriseFactory(name="桐乡市丙皮草有限公司"),
        EnterpriseFactory(name="桐乡市丁毛衫有限公司"),
    )
    w = {
        "economy": economy,
        "commerce": commerce,
        "town": town,
        "first": first,
        "second": second,
        "third": third,
        "gone": gone,
        "dept": CadreFactory(name="张经信", unit=economy, mobile="13900000001"),
        "local": CadreFactory(name="李镇街", unit=town, mobile="13900000002"),
        "leader": CityLeaderFactory(name="王市领", mobile="13900000003"),
        "other": CadreFactory(name="赵商务", unit=commerce, mobile="13900000004"),
        "ended": CadreFactory(name="钱结束", unit=economy, mobile="13900000005"),
        "retired": CadreFactory(name="孙离岗", unit=economy, mobile="13900000006", is_active=False),
        "second_dept": CadreFactory(name="周二号", unit=economy, mobile="13900000007"),
    }
    pair(w["dept"], first)
    pair(w["local"], first, kind=Pairing.Kind.TOWN)
    pair(w["leader"], first, kind=Pairing.Kind.FOCUS)
    pair(w["retired"], first)
    today = timezone.localdate()
    for enterprise in (first, gone):  # ended early last week: no longer on any card
        PairingFactory(
            cadre=w["ended"],
            enterprise=enterprise,
            start_date=today - datetime.timedelta(days=400),
            ended_on=today - datetime.timedelta(days=7),
            ended_reason="企业迁出",
        )
    pair(w["second_dept"], second)
    pair(w["other"], third)
    return w


@pytest.fixture
def staff(client):
    client.force_login(user_with_role("liaison_staff", username="staff"))
    return client


def card_url(enterprise):
    return reverse("cards:enterprise", args=[enterprise.pk])


def sign_in(enterprise, origin="http://testserver"):
    return f"{origin}/qiye/login/?c={enterprise.credit_code}"


def test_a_card_shows_the_enterprises_cadres_today_and_no_one_else(staff, world):
    page = staff.get(card_url(world["first"])).content.decode()
    assert world["first"].name in page
    for key in ("dept", "local", "leader"):
        cadre = world[key]
        assert cadre.name in page and cadre.mobile in page and cadre.unit.name in page
    for key in ("other", "second_dept", "ended", "retired"):  # another's cadre, an ended pairing, out of post
        assert world[key].name not in page and world[key].mobile not in page
    assert world["second"].name not in page
    assert PHONE in page
    assert "扫码登录企业服务页，反映问题、查看办理进度" in page
    assert "打印" in page
    # City leaders first.
    assert page.index("王市领") < page.index("张经信") and page.index("王市领") < page.index("李镇街")


def test_the_qr_code_is_inline_svg_of_the_sign_in_address(staff, world):
    enterprise = world["first"]
    page = staff.get(card_url(enterprise)).content.decode()
    url = sign_in(enterprise)
    assert f'data-url="{url}"' in page
    assert f'<span class="url">{url}</span>' in page  # printed under the card
    assert "<svg" in page and f"<title>{url}</title>" in page
    # The drawn modules are those of that address's QR code (segno cannot decode).
    drawn = re.search(r'<path[^>]* d="([^"]+)"', page).group(1)
    expected = segno.make(url, error="m", micro=False).svg_inline(border=2, omitsize=True)
    assert drawn == re.search(r' d="([^"]+)"', expected).group(1)
    assert "http" not in page.split("<svg")[0].split("<link")[0]  # no external resource in the head


def test_the_portal_address_comes_from_the_setting(staff, world, settings):
    settings.ENTERPRISE_PORTAL_URL = "https://qiye.example.gov.cn/"
    page = staff.get(card_url(world["first"])).content.decode()
    assert f'data-url="{sign_in(world["first"], "https://qiye.example.gov.cn")}"' in page
    assert "testserver" not in page


def test_a_card_with_no_cadre_today_says_whom_to_call(staff, world):
    page = staff.get(card_url(world["gone"])).content.decode()
    assert world["gone"].name in page and "钱结束" not in page
    assert "可先致电市联络办" in page and PHONE in page


def test_a_card_counts_the_cadres_it_has_no_room_for(staff, world):
    for n in range(cards.MAX_CADRES + 1):
        pair(CadreFactory(name=f"多{n}号", unit=world["economy"]), world["second"])
    page = staff.get(card_url(world["second"])).content.decode()
    assert "另有 2 名联系干部" in page  # 周二号 and five more: four shown


def cards_on(page):
    return re.findall(r"<h2>([^<]+)</h2>", page)


def test_the_unit_sheet_has_exactly_the_enterprises_its_cadres_link(staff, world):
    page = staff.get(reverse("cards:unit", args=[world["economy"].pk])).content.decode()
    assert cards_on(page) == sorted([world["first"].name, world["second"].name])
    assert page.count('class="sheet"') == 1
    assert "市经信局联系企业服务卡" in page
    # Each card is the enterprise's whole card: its town cadre too.
    assert "李镇街" in page and "赵商务" not in page
    town = staff.get(reverse("cards:unit", args=[world["town"].pk])).content.decode()
    assert cards_on(town) == [world["first"].name]


def test_a_unit_with_no_pairing_today_gets_a_message(staff, world):
    page = staff.get(reverse("cards:unit", args=[UnitFactory(name="市统计局").pk]))
    assert page.status_code == 200
    assert "没有可打印的企业" in page.content.decode()


def test_a_sheet_is_ten_cards_a_page(staff, world):
    for _ in range(21):
        pair(CadreFactory(unit=world["commerce"]), EnterpriseFactory())
    page = staff.get(reverse("cards:unit", args=[world["commerce"].pk])).content.decode()
    sheets = page.split('<section class="sheet">')[1:]
    assert [s.count('<article class="card">') for s in sheets] == [10, 10, 2]
    assert "共 22 张服务卡，3 页 A4" in page


def test_the_queries_do_not_grow_with_the_cards(staff, world, django_assert_max_num_queries):
    url = reverse("cards:unit", args=[world["commerce"].pk])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert staff.get(url).status_code == 200
        return len(queries)

    few = count()
    for _ in range(30):
        pair(CadreFactory(unit=world["commerce"]), EnterpriseFactory())
    assert count() == few
    # The session, the user, the scope (groups, cadre), the unit, the
    # enterprises, their pairings, and the unread notices of every page.
    with django_assert_max_num_queries(8):
        staff.get(url)


@pytest.mark.parametrize("role", ["unit_officer", "cadre", "leader", "supervisor"])
def test_only_liaison_staff_print_cards(client, world, role):
    cadre = None if role == "supervisor" else CadreFactory(unit=world["economy"])
    client.force_login(user_with_role(role, cadre=cadre))
    for url in (
        card_url(world["first"]),
        reverse("cards:enterprise", args=[999999]),  # as an id that exists: nothing to learn
        reverse("cards:unit", args=[world["economy"].pk]),
        reverse("cards:unit", args=[999999]),
    ):
        assert client.get(url).status_code == 403, url


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(card_url(world["first"]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_superuser_prints_and_a_missing_id_is_not_found(client, world):
    client.force_login(User.objects.create_superuser("root", password="pw-for-tests-only"))
    assert client.get(card_url(world["first"])).status_code == 200
    assert client.get(reverse("cards:enterprise", args=[999999])).status_code == 404
    assert client.get(reverse("cards:unit", args=[999999])).status_code == 404
    assert client.post(card_url(world["first"])).status_code == 405


# -- from the admin ---------------------------------------------------------------


def test_the_enterprise_admin_links_to_its_card_and_prints_the_chosen(staff, world):
    change = staff.get(reverse("admin:enterprises_enterprise_change", args=[world["first"].pk]))
    assert f'href="{card_url(world["first"])}"' in change.content.decode()
    assert "打印服务卡" in change.content.decode()
    changelist = reverse("admin:enterprises_enterprise_changelist")
    assert "打印所选企业的服务卡" in staff.get(changelist).content.decode()
    chosen = [world["second"].pk, world["third"].pk]
    response = staff.post(changelist, {"action": "print_service_cards", "_selected_action": chosen})
    page = response.content.decode()
    assert response.status_code == 200
    assert cards_on(page) == sorted([world["second"].name, world["third"].name])
    assert "周二号" in page and "赵商务" in page and "张经信" not in page


def test_the_unit_admin_links_to_its_sheet_and_prints_the_chosen_units(staff, world):
    change = staff.get(reverse("admin:cadres_unit_change", args=[world["commerce"].pk])).content.decode()
    assert f'href="{reverse("cards:unit", args=[world["commerce"].pk])}"' in change
    assert "打印本单位联系企业服务卡" in change
    changelist = reverse("admin:cadres_unit_changelist")
    chosen = [world["commerce"].pk, world["town"].pk]
    page = staff.post(changelist, {"action": "print_unit_cards", "_selected_action": chosen}).content.decode()
    assert cards_on(page) == sorted([world["first"].name, world["third"].name])


def test_an_officer_in_the_admin_gets_no_card_link_nor_action(client, world):
    officer = CadreFactory(unit=world["economy"])
    world["economy"].information_officer = officer
    world["economy"].save()
    client.force_login(user_with_role("unit_officer", cadre=officer))
    changelist = client.get(reverse("admin:enterprises_enterprise_changelist")).content.decode()
    assert "打印所选企业的服务卡" not in changelist
    change = client.get(reverse("admin:cadres_unit_change", args=[world["economy"].pk])).content.decode()
    assert "打印本单位联系企业服务卡" not in change
    response = client.post(
        reverse("admin:enterprises_enterprise_changelist"),
        {"action": "print_service_cards", "_selected_action": [world["first"].pk]},
    )
    assert "张经信" not in response.content.decode()
