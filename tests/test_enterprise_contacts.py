"""An enterprise's contacts (issue 17): its cadres keep them on their own
pages, and the register's import creates them from the mobiles it gives.

Pages: a cadre lists, adds, corrects, lets go and takes back the contacts of
an enterprise they link now, and only of it; their unit's officer too, and
the office; to anyone else the enterprise answers 404. Import: a row whose
phone is a mobile gives the enterprise a contact, a landline none, all or
nothing with the rows, no duplicate on a second import, history naming the
importing user."""

import datetime
from unittest import mock

import pytest
import tablib
from django.db import DatabaseError
from django.urls import reverse
from django.utils.html import escape

from cadres import permissions
from enterprises import services
from enterprises.models import Enterprise, EnterpriseContact
from enterprises.resources import EnterpriseResource
from tabular.phone import is_mobile
from tests import office_files
from tests.factories import (
    CadreFactory,
    EnterpriseContactFactory,
    EnterpriseFactory,
    PairingFactory,
    TownUnitFactory,
    UnitFactory,
    information_officer,
    user_with_role,
)
from tests.test_import import errors_of
from tests.test_office_files import XLSX, confirm, page, upload

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def linked(db):
    """A cadre of 市经信局 linking 甲企业 now; 乙企业 linked by a cadre of
    another unit; 丙企业 the cadre linked once (the pairing ended)."""
    unit = UnitFactory(name="市经信局")
    cadre = CadreFactory(unit=unit, name="联系干部甲")
    user = user_with_role("cadre", cadre=cadre, username="ganbu")
    own = PairingFactory(cadre=cadre, enterprise=EnterpriseFactory(name="甲企业")).enterprise
    other = PairingFactory(
        cadre=CadreFactory(unit=UnitFactory(name="市商务局")), enterprise=EnterpriseFactory(name="乙企业")
    ).enterprise
    ended = EnterpriseFactory(name="丙企业")
    PairingFactory(
        cadre=cadre,
        enterprise=ended,
        start_date=D(2023, 1, 1),
        ended_on=D(2025, 6, 30),
        ended_reason="企业迁出",
    )
    return {"unit": unit, "cadre": cadre, "user": user, "own": own, "other": other, "ended": ended}


def contacts_url(enterprise, action=""):
    name = f"cadres:contact_{action}" if action else "cadres:contacts"
    return reverse(name, args=[enterprise.pk])


def signed_in(client, user):
    client.force_login(user)
    return client


# -- the page ------------------------------------------------------------------------


def test_a_cadre_sees_only_the_contacts_of_the_enterprise_asked(client, linked):
    EnterpriseContactFactory(enterprise=linked["own"], name="王总", role="总经理", mobile="13911112222")
    EnterpriseContactFactory(enterprise=linked["own"], name="已离职的赵", is_active=False)
    EnterpriseContactFactory(enterprise=linked["other"], name="乙企业的钱")
    response = signed_in(client, linked["user"]).get(contacts_url(linked["own"]))
    assert response.status_code == 200
    text = page(response)
    assert "甲企业" in text and "王总" in text and "总经理" in text and 'href="tel:13911112222"' in text
    assert "已离职的赵" in text and "已停用" in text and "恢复登录" in text
    assert "乙企业" not in text and "乙企业的钱" not in text


def test_another_enterprise_or_one_no_longer_linked_answers_404(client, linked):
    contact = EnterpriseContactFactory(enterprise=linked["other"], name="乙企业的钱")
    signed_in(client, linked["user"])
    for enterprise in (linked["other"], linked["ended"]):
        assert client.get(contacts_url(enterprise)).status_code == 404
        data = {"contact": contact.pk, "name": "改", "mobile": "13900001111", "active": "0"}
        for action in ("add", "change", "active"):
            assert client.post(contacts_url(enterprise, action), data).status_code == 404
    # another enterprise's contact named on one's own enterprise's page: 404 as well
    own = contacts_url(linked["own"], "change")
    assert client.post(own, {"contact": contact.pk, "name": "改", "mobile": "13900001111"}).status_code == 404
    assert client.post(contacts_url(linked["own"], "active"), {"contact": contact.pk}).status_code == 404
    assert client.post(contacts_url(linked["own"], "active"), {"contact": "x"}).status_code == 404
    contact.refresh_from_db()
    assert (contact.name, contact.is_active) == ("乙企业的钱", True)
    assert not EnterpriseContact.objects.exclude(pk=contact.pk).exists()


def test_the_units_officer_and_the_office_may_a_town_officer_or_a_supervisor_may_not(
    client, linked, staff_user
):
    EnterpriseContactFactory(enterprise=linked["own"], name="王总")
    officer = information_officer(linked["unit"], username="officer")
    town_officer = information_officer(TownUnitFactory(), name="镇信息员", username="town")
    for user, code in (
        (officer, 200),
        (staff_user, 200),
        (town_officer, 404),
        (user_with_role("supervisor"), 404),
        (user_with_role("leader", cadre=CadreFactory()), 404),
    ):
        response = signed_in(client, user).get(contacts_url(linked["own"]))
        assert response.status_code == code, user
        assert ("王总" in page(response)) == (code == 200)
    signed_in(client, officer)
    assert client.get(contacts_url(linked["other"])).status_code == 404  # another unit's cadre's
    assert permissions.can_edit_contacts(staff_user, linked["other"])  # the office: every enterprise
    assert list(permissions.contact_enterprises(officer, Enterprise.objects.order_by("name"))) == [
        linked["own"]
    ]
    assert client.get(contacts_url(linked["own"])).status_code == 200
    client.logout()
    assert client.get(contacts_url(linked["own"])).status_code == 302


def test_my_enterprises_links_each_enterprise_to_its_contacts(client, linked):
    EnterpriseContactFactory(enterprise=linked["own"])
    EnterpriseContactFactory(enterprise=linked["own"])
    EnterpriseContactFactory(enterprise=linked["own"], is_active=False)
    second = PairingFactory(cadre=linked["cadre"], enterprise=EnterpriseFactory(name="丁企业")).enterprise
    text = page(signed_in(client, linked["user"]).get(reverse("visits:my")))
    assert f'href="{contacts_url(linked["own"])}"' in text and "2 人可登录" in text
    assert f'href="{contacts_url(second)}"' in text and "未登记，去添加" in text
    assert contacts_url(linked["ended"]) not in text and contacts_url(linked["other"]) not in text


def test_the_officers_pairing_page_links_the_contacts_while_the_pairing_is_in_force(client, linked):
    officer = information_officer(linked["unit"], username="officer")
    signed_in(client, officer)
    pairing = linked["cadre"].pairings.get(enterprise=linked["own"])
    ended = linked["cadre"].pairings.get(enterprise=linked["ended"])
    assert contacts_url(linked["own"]) in page(client.get(reverse("dashboards:pairing", args=[pairing.pk])))
    assert contacts_url(linked["ended"]) not in page(
        client.get(reverse("dashboards:pairing", args=[ended.pk]))
    )


def test_the_page_takes_as_many_queries_for_one_contact_as_for_twenty(
    client, linked, django_assert_max_num_queries
):
    signed_in(client, linked["user"])
    EnterpriseContactFactory(enterprise=linked["own"])
    with django_assert_max_num_queries(12) as one:
        client.get(contacts_url(linked["own"]))
    EnterpriseContactFactory.create_batch(19, enterprise=linked["own"])
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(contacts_url(linked["own"]))
    assert page(response).count("data-contact=") == 20


def test_a_phone_page_at_375_pixels_needs_no_table(client, linked):
    """Phone first: cards and one-column forms, a telephone keyboard for the mobile."""
    EnterpriseContactFactory(enterprise=linked["own"], name="王总")
    text = page(signed_in(client, linked["user"]).get(contacts_url(linked["own"])))
    assert "<table" not in text and 'name="viewport"' in text
    assert text.count('type="tel"') == 2  # the contact's correction and the new contact's


# -- the writes ----------------------------------------------------------------------


def test_adding_a_contact_normalises_the_mobile_and_names_the_cadre_in_the_history(client, linked):
    signed_in(client, linked["user"])
    data = {"name": " 王总 ", "role": "总经理", "mobile": "+86 139-1234 5678"}
    response = client.post(contacts_url(linked["own"], "add"), data, follow=True)
    contact = EnterpriseContact.objects.get()
    assert (contact.enterprise, contact.name, contact.role, contact.mobile, contact.is_active) == (
        linked["own"], "王总", "总经理", "13912345678", True
    )  # fmt: skip
    assert "已添加联系人 王总。" in page(response) and "13912345678" in page(response)
    (row,) = contact.history.all()
    assert (row.history_type, row.history_user) == ("+", linked["user"])


@pytest.mark.parametrize(
    "mobile, message",
    [
        ("0573-88123456", "手机号应为 11 位数字"),  # a landline
        ("1391234567", "手机号应为 11 位数字"),
        ("", "这个字段是必填项"),
    ],
)
def test_a_bad_mobile_is_a_message_on_the_form_and_nothing_is_saved(client, linked, mobile, message):
    signed_in(client, linked["user"])
    response = client.post(contacts_url(linked["own"], "add"), {"name": "王总", "mobile": mobile})
    assert response.status_code == 200
    assert message in page(response) and 'value="王总"' in page(response)  # the entry kept
    assert not EnterpriseContact.objects.exists()


def test_a_mobile_the_enterprise_has_already_is_a_form_error_in_chinese_not_a_500(client, linked):
    first = EnterpriseContactFactory(enterprise=linked["own"], name="王总", mobile="13912345678")
    second = EnterpriseContactFactory(enterprise=linked["own"], name="李会计", mobile="13800001111")
    EnterpriseContactFactory(enterprise=linked["other"], mobile="13700002222")
    signed_in(client, linked["user"])
    response = client.post(contacts_url(linked["own"], "add"), {"name": "王二", "mobile": "139 1234 5678"})
    assert response.status_code == 200 and "该企业已有手机号为 13912345678 的联系人。" in page(response)
    response = client.post(
        contacts_url(linked["own"], "change"),
        {"contact": second.pk, "name": "李会计", "mobile": "13912345678"},
    )
    assert response.status_code == 200 and "该企业已有手机号为 13912345678 的联系人。" in page(response)
    assert "<details open>" in page(response)  # the failing contact's form, opened
    second.refresh_from_db()
    assert (
        second.mobile == "13800001111"
        and EnterpriseContact.objects.filter(enterprise=linked["own"]).count() == 2
    )
    # another enterprise's mobile is no matter: a group's clerk may speak for several
    client.post(contacts_url(linked["own"], "add"), {"name": "集团文员", "mobile": "13700002222"})
    assert linked["own"].contacts.filter(mobile="13700002222").exists()
    assert first.history.count() == 1


def test_the_service_refuses_a_repeated_mobile_as_a_validation_error(linked):
    from django.core.exceptions import ValidationError

    EnterpriseContactFactory(enterprise=linked["own"], mobile="13912345678")
    with pytest.raises(ValidationError) as refused:
        services.add_contact(linked["own"], name="王二", mobile="13912345678", by=linked["user"])
    assert refused.value.message_dict == {"mobile": ["该企业已有手机号为 13912345678 的联系人。"]}


def test_correcting_a_contact_names_the_user_in_the_history(client, linked):
    contact = EnterpriseContactFactory(enterprise=linked["own"], name="王总", role="", mobile="13912345678")
    signed_in(client, linked["user"])
    data = {"contact": contact.pk, "name": "王建国", "role": "董事长", "mobile": "13912345679"}
    response = client.post(contacts_url(linked["own"], "change"), data, follow=True)
    assert "已保存联系人 王建国。" in page(response)
    contact.refresh_from_db()
    assert (contact.name, contact.role, contact.mobile) == ("王建国", "董事长", "13912345679")
    latest = contact.history.latest()
    assert (latest.history_type, latest.history_user, latest.name) == ("~", linked["user"], "王建国")


def test_letting_a_contact_go_and_taking_them_back(client, linked):
    contact = EnterpriseContactFactory(enterprise=linked["own"], name="王总")
    signed_in(client, linked["user"])
    response = client.post(
        contacts_url(linked["own"], "active"), {"contact": contact.pk, "active": "0"}, follow=True
    )
    contact.refresh_from_db()
    assert not contact.is_active and "王总 已停用，不能再登录企业服务页。" in page(response)
    assert "恢复登录" in page(response)
    response = client.post(
        contacts_url(linked["own"], "active"), {"contact": contact.pk, "active": "1"}, follow=True
    )
    contact.refresh_from_db()
    assert contact.is_active and "王总 可以重新登录企业服务页。" in page(response)
    assert [(h.is_active, h.history_user) for h in contact.history.order_by("history_id")][1:] == [
        (False, linked["user"]),
        (True, linked["user"]),
    ]
    assert client.get(contacts_url(linked["own"], "active")).status_code == 405


def test_the_names_typed_are_shown_escaped(client, linked):
    signed_in(client, linked["user"])
    client.post(contacts_url(linked["own"], "add"), {"name": "<b>王</b>", "mobile": "13912345678"})
    text = page(client.get(contacts_url(linked["own"])))
    assert escape("<b>王</b>") in text and "<b>王</b>" not in text


# -- the register's import -----------------------------------------------------------


def register_contacts():
    return {
        (c.enterprise.credit_code, c.name, c.mobile, c.is_active)
        for c in EnterpriseContact.objects.select_related("enterprise")
    }


def expected_contacts(records):
    """What the register's rows give: a contact for a name with a mobile."""
    return {
        (r["credit_code"], r["contact_name"], r["contact_phone"], True)
        for r in records
        if r["contact_name"] and is_mobile(r["contact_phone"])
    }


def test_the_register_creates_a_contact_for_each_mobile_none_for_a_landline(office, places, staff_user):
    item = office_files.enterprise_register_xlsx(count=30)
    confirm(office, "enterprises_enterprise", upload(office, "enterprises_enterprise", item, XLSX))
    assert Enterprise.objects.count() == 30
    wanted = expected_contacts(item.expected)
    landlines = [r for r in item.expected if r["contact_phone"].startswith("0573")]
    assert landlines and len(wanted) == 30 - 6 - len([r for r in landlines if r["contact_name"]])  # 6 blank
    assert register_contacts() == wanted
    for record in landlines:
        assert not EnterpriseContact.objects.filter(enterprise__credit_code=record["credit_code"]).exists()
    rows = EnterpriseContact.history.all()
    assert rows.count() == len(wanted) and {(r.history_type, r.history_user) for r in rows} == {
        ("+", staff_user)
    }


def test_importing_the_same_register_again_makes_no_duplicate(office, places, staff_user):
    item = office_files.enterprise_register_xlsx(count=20)
    for _again in range(2):
        confirm(office, "enterprises_enterprise", upload(office, "enterprises_enterprise", item, XLSX))
    assert register_contacts() == expected_contacts(item.expected)
    assert EnterpriseContact.history.count() == len(expected_contacts(item.expected))


def resource_import(user, rows, headers=("企业名称", "统一社会信用代码", "所在镇（街道）", "联系人", "手机")):
    data = tablib.Dataset(headers=list(headers))
    for row in rows:
        data.append(row)
    return EnterpriseResource(user=user).import_data(data, dry_run=False)


def test_an_existing_contact_is_found_by_its_mobile_and_a_cadres_changes_are_kept(places, linked, staff_user):
    code = office_files.code(1)
    result = resource_import(staff_user, [["甲公司", code, "乌镇", "王总", "139 1234 5678"]])
    assert not result.has_validation_errors(), errors_of(result)
    contact = EnterpriseContact.objects.get()
    assert (contact.name, contact.mobile, contact.role) == ("王总", "13912345678", "")
    # the cadre lets the contact go and writes a role; an unchanged register changes neither
    services.set_contact_active(contact, False, by=linked["user"])
    contact.role = "总经理"
    contact.save()
    resource_import(staff_user, [["甲公司", code, "乌镇", "王总", "13912345678"]])
    contact.refresh_from_db()
    assert (contact.is_active, contact.role, EnterpriseContact.objects.count()) == (False, "总经理", 1)
    # a register that writes the contact's name anew renames them, by the same mobile
    resource_import(staff_user, [["甲公司", code, "乌镇", "王建国", "13912345678"]])
    contact.refresh_from_db()
    assert (contact.name, contact.is_active, EnterpriseContact.objects.count()) == ("王建国", False, 1)
    assert contact.history.latest().history_user == staff_user
    # another mobile: a second contact, the first kept
    resource_import(staff_user, [["甲公司", code, "乌镇", "李会计", "+8613800001111"]])
    assert sorted(EnterpriseContact.objects.values_list("name", "mobile")) == [
        ("李会计", "13800001111"),
        ("王建国", "13912345678"),
    ]


def test_an_enterprise_imported_before_gets_its_contact_from_an_unchanged_row(staff_user, places):
    code = office_files.code(2)
    resource_import(staff_user, [["乙公司", code, "乌镇", "王总", "13912345678"]])
    EnterpriseContact.objects.all().delete()  # as before contacts were imported
    result = resource_import(staff_user, [["乙公司", code, "乌镇", "王总", "13912345678"]])
    assert result.totals["skip"] == 1
    assert list(EnterpriseContact.objects.values_list("name", "mobile")) == [("王总", "13912345678")]


@pytest.mark.parametrize("phone", ["0573-88123456", "057388123456", "13912345678/13800001111", "", None])
def test_no_contact_without_a_single_mobile_or_without_a_name(staff_user, places, phone):
    rows = [
        ["甲公司", office_files.code(3), "乌镇", "王总", phone],
        ["乙公司", office_files.code(4), "乌镇", None, "13912345678"],
    ]
    result = resource_import(staff_user, rows)
    assert not result.has_validation_errors(), errors_of(result)
    assert Enterprise.objects.count() == 2 and not EnterpriseContact.objects.exists()


def test_a_file_without_the_phone_column_leaves_the_contacts_alone(staff_user, places):
    code = office_files.code(5)
    resource_import(staff_user, [["甲公司", code, "乌镇", "王总", "13912345678"]])
    contact = EnterpriseContact.objects.get()
    contact.name = "王建国"
    contact.save()
    resource_import(
        staff_user, [["甲公司改名", code, "乌镇"]], headers=("企业名称", "统一社会信用代码", "所在镇（街道）")
    )
    assert list(EnterpriseContact.objects.values_list("name", flat=True)) == ["王建国"]


def test_a_failing_row_writes_nothing_contacts_included(staff_user, places):
    rows = [
        ["甲公司", office_files.code(6), "乌镇", "王总", "13912345678"],
        ["乙公司", office_files.code(7), "不存在的镇", "李总", "13800001111"],
    ]
    result = resource_import(staff_user, rows)
    assert result.has_validation_errors()
    assert not Enterprise.objects.exists() and not EnterpriseContact.objects.exists()


def test_a_contact_the_database_refuses_undoes_the_whole_import(staff_user, places):
    rows = [["甲公司", office_files.code(8), "乌镇", "王总", "13912345678"]]
    with mock.patch.object(services, "contacts_from_register", side_effect=DatabaseError("refused")):
        result = resource_import(staff_user, rows)
    assert result.has_errors() and "未写入任何数据" in str(result.base_errors[0].error)
    assert not Enterprise.objects.exists() and not EnterpriseContact.objects.exists()


def test_the_unstored_path_creates_the_contacts_too(staff_user, places):
    """A resource that keeps no preview writes its rows from the plan (``write``)."""

    class Unstored(EnterpriseResource):
        stores_preview = False

    data = tablib.Dataset(
        headers=["企业名称", "统一社会信用代码", "所在镇（街道）", "企业联系人", "企业联系电话"]
    )
    data.append(["甲公司", office_files.code(9), "乌镇", "王总", 13912345678.0])  # a phone typed as a number
    data.append(["乙公司", office_files.code(10), "乌镇", "李总", "0573-88123456"])
    result = Unstored(user=staff_user).import_data(data, dry_run=False)
    assert not result.has_validation_errors(), errors_of(result)
    (contact,) = EnterpriseContact.objects.all()
    assert (contact.enterprise.name, contact.name, contact.mobile) == ("甲公司", "王总", "13912345678")
    assert contact.history.get().history_user == staff_user


def test_a_dry_run_creates_no_contact(staff_user, places):
    data = tablib.Dataset(headers=["企业名称", "统一社会信用代码", "所在镇（街道）", "联系人", "手机"])
    data.append(["甲公司", office_files.code(11), "乌镇", "王总", "13912345678"])
    EnterpriseResource(user=staff_user).import_data(data, dry_run=True)
    assert not Enterprise.objects.exists() and not EnterpriseContact.objects.exists()
