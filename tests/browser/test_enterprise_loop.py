"""The enterprise's side of a problem's life, on a phone at 375×812, on the
demo world ``make run`` builds (``seed_demo``), through the UI only (issue 17).

The demo's first enterprise signs in with the code the SMS backend sent
(the memory backend here, the console on ``make run``), raises a request with
a photo (企业自报); the liaison office takes it and refers it to 市经信局,
whose officer answers; the office accepts, which asks the enterprise to
confirm; the enterprise rates it 不满意 with a reason, and the item is back at
the office (联络办受理) with the verdict on its timeline, the reason shown to
staff and never to the enterprise. Screenshots: ``artifacts/enterprise-NN-….png``."""

import io
import re

import pytest
from django.core.management import call_command

from cadres.demo import demo_contact_mobile
from enterprises.models import EnterpriseContact
from issues.models import IssueItem
from jobs import sms

from .test_problem_life import PHONE, Steps, number_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("role_groups")]

REQUEST = "厂区门口道路破损，货车进出困难，请协调修复"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000105fe02fea70000000049454e44ae426082"
)


def test_the_enterprise_raises_follows_and_rejects_a_resolution(live_server, new_page, screenshot, tmp_path):
    call_command("seed_demo", enterprises=40, cadres=40, stdout=io.StringIO())
    contact = EnterpriseContact.objects.select_related("enterprise").get(mobile=demo_contact_mobile(1))
    s = Steps(live_server, new_page, screenshot)

    # 1. Sign in on the phone with the code sent by SMS.
    phone = s.new_page(**PHONE)
    phone.on("response", lambda r: r.status >= 500 and s.problems.append(f"{r.status} {r.url}"))
    s.go(phone, "/qiye/login/")
    phone.fill("#id_mobile", contact.mobile)
    s.click(phone, "button.primary")
    assert "验证码已发送" in phone.inner_text("main")
    code = re.search(r"\d{6}", sms.outbox[-1].text).group()
    assert sms.outbox[-1].mobile == contact.mobile
    phone.fill("#id_code", code)
    s.click(phone, "button.primary")
    assert contact.enterprise.name in phone.inner_text("main")
    s.shot(phone, "enterprise-01-home")  # "life-" prefix: Steps.shot

    # 2. Raise a request with a photo.
    s.click(phone, "a[href$='/qiye/new/']")
    phone.select_option("#id_category", "other")
    phone.fill("#id_description", REQUEST)
    photo = tmp_path / "门口道路.png"
    photo.write_bytes(PNG)
    phone.set_input_files("#id_files", str(photo))
    s.shot(phone, "enterprise-02-new-request")
    s.click(phone, "button.primary")
    item = number_in(phone.url, r"/qiye/items/(\d+)/$")
    shown = phone.inner_text("main")
    assert REQUEST in shown and "企业自报" in shown and "门口道路.png" in shown and "新提交" in shown
    s.shot(phone, "enterprise-03-request-raised")
    assert IssueItem.objects.get(pk=item).raised_by == contact

    # 3. The office takes it at once and refers it to 市经信局.
    office = s.open("lianluoban")
    taken = {"#id_to_status": "office", "#id_comment": "企业自报，联络办受理"}
    s.send(office, f"/admin/issues/issueitem/{item}/move/", taken)
    assert "已办理" in office.inner_text(".messagelist")
    referred = {"#id_department": "市经信局", "#id_requirement": "请协调交通部门修复道路。"}
    s.send(office, f"/admin/issues/issueitem/{item}/refer/", referred)
    slip = number_in(office.url, r"/slips/(\d+)/$")

    # 4. The department's officer answers; the office accepts.
    answerer = s.open("xinxiyuan")
    answered = {"#id_measures": "会同交通运输局现场查看。", "#id_result": "道路已修补完成。"}
    s.send(answerer, f"/slips/{slip}/", answered, "button[name=action][value=answer]")
    assert "已反馈" in answerer.inner_text("h1")
    s.go(office, f"/slips/{slip}/")
    s.click(office, "button[name=action][value=accept]")
    assert "已办结" in office.inner_text("h1")

    # 5. The enterprise sees the answer and rates it 不满意, with its reason.
    s.go(phone, f"/qiye/items/{item}/")
    shown = phone.inner_text("main")
    assert "已解决" in shown and "道路已修补完成" in shown and "市经信局" in shown
    assert "会同交通运输局" not in shown  # the department's working notes stay inside
    assert "请评价解决结果" in shown
    phone.check("input[name=verdict][value=unsatisfied]")
    s.click(phone, "form.confirm button.primary")
    assert "不满意时请说明" in phone.inner_text("main")  # re-displayed, nothing written
    phone.check("input[name=verdict][value=unsatisfied]")
    phone.fill("#id_comment", "只修了一半，雨天仍然积水")
    s.shot(phone, "enterprise-04-rating")
    s.click(phone, "form.confirm button.primary")
    shown = phone.inner_text("main")
    assert "联络办受理" in shown and "企业评价" in shown and "请评价解决结果" not in shown
    assert "只修了一半" not in shown  # its own comment goes to staff, not onto its public timeline
    s.shot(phone, "enterprise-05-reopened")

    # 6. The office sees the item reopened, with the verdict and the reason.
    s.go(office, f"/items/{item}/")
    page = office.inner_text("main")
    assert "联络办受理" in office.inner_text("h1")
    assert "不满意" in page and "只修了一半" in page
    s.shot(office, "enterprise-06-office-reopened")
