"""The enterprise pages (issue 17): sign-in with a one-time code, the portal's
own cookie apart from staff sessions, and what a contact sees of its own
enterprise (R16: the enterprise's own voice), never of another, never the
staff's internal comments."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from enterprises.models import ContactSession, SignInCode, SignInLog
from issues import services as issue_services
from issues import workflow
from issues.models import IssueItem, ReferralSlip
from jobs import sms
from jobs.models import SmsLog
from tests import factories as f
from tests.portal import sign_in

pytestmark = pytest.mark.django_db
Outcome = SignInLog.Outcome
LOGIN, CODE, HOME = "/qiye/login/", "/qiye/login/code/", "/qiye/"


def ask_code(client, mobile, address="10.0.0.1"):
    return client.post(LOGIN, {"mobile": mobile}, REMOTE_ADDR=address)


def sent_code():
    return re.search(r"\d{6}", sms.outbox[-1].text).group()


def enter(client, mobile, code, address="10.0.0.1"):
    return client.post(CODE, {"mobile": mobile, "code": code}, REMOTE_ADDR=address)


def without_tokens(page):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def outcomes(mobile):
    return list(
        SignInLog.objects.filter(mobile=mobile).order_by("at", "id").values_list("outcome", flat=True)
    )


@pytest.fixture
def contact():
    return f.EnterpriseContactFactory(enterprise__name="桐乡毛衫有限公司", mobile="13512345678")


def test_the_right_code_signs_in_with_the_portal_cookie(client, contact):
    response = ask_code(client, "135 1234 5678")
    assert response.status_code == 302 and response.url.startswith(CODE)
    page = client.get(response.url)
    assert "验证码已发送" in page.content.decode()
    assert len(sms.outbox) == 1 and sms.outbox[0].mobile == contact.mobile
    code = sent_code()
    # Only a hash is kept, and the SMS log hides the code.
    row = SignInCode.objects.get()
    assert code not in row.code_hash
    assert code not in SmsLog.objects.get().text
    response = enter(client, contact.mobile, code)
    assert response.status_code == 302 and response.url == HOME
    cookie = response.cookies[settings.PORTAL_COOKIE_NAME]
    assert cookie["path"] == "/qiye/" and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert ContactSession.objects.get().contact == contact
    assert cookie.value not in ContactSession.objects.get().key_hash
    home = client.get(HOME).content.decode()
    assert "桐乡毛衫有限公司" in home and contact.name in home
    assert outcomes(contact.mobile) == [Outcome.CODE_SENT, Outcome.SIGNED_IN]
    # A code serves once.
    client.cookies.clear()
    assert "验证码已失效" in enter(client, contact.mobile, code).content.decode()


def test_a_wrong_code_is_counted_and_refused_after_the_limit(client, contact, settings):
    settings.PORTAL_CODE_ATTEMPTS = 3
    ask_code(client, contact.mobile)
    code = sent_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        page = enter(client, contact.mobile, wrong)
        assert page.status_code == 200 and "验证码不正确" in page.content.decode()
    assert SignInCode.objects.get().attempts == 3
    page = enter(client, contact.mobile, code)
    assert "尝试次数过多" in page.content.decode()
    assert settings.PORTAL_COOKIE_NAME not in page.cookies
    assert outcomes(contact.mobile) == [Outcome.CODE_SENT, *[Outcome.WRONG_CODE] * 3, Outcome.LIMITED]


def test_an_expired_code_is_refused(client, contact):
    ask_code(client, contact.mobile)
    SignInCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    page = enter(client, contact.mobile, sent_code())
    assert "验证码已失效" in page.content.decode()
    assert not ContactSession.objects.exists()
    assert outcomes(contact.mobile)[-1] == Outcome.EXPIRED


def test_a_new_code_replaces_the_one_before(client, contact):
    ask_code(client, contact.mobile)
    first = sent_code()
    ask_code(client, contact.mobile)
    second = sent_code()
    if first != second:  # one chance in a million that they are the same
        assert "验证码不正确" in enter(client, contact.mobile, first).content.decode()
    assert enter(client, contact.mobile, second).url == HOME
    assert SignInCode.objects.filter(expires_at__lte=timezone.now()).count() == 1  # the first


def test_codes_are_limited_per_mobile(client, contact, settings):
    settings.PORTAL_CODES_PER_MOBILE_PER_HOUR = 2
    for _ in range(2):
        assert ask_code(client, contact.mobile).status_code == 302
    page = ask_code(client, contact.mobile)
    assert page.status_code == 200 and "获取验证码过于频繁" in page.content.decode()
    assert len(sms.outbox) == 2
    assert outcomes(contact.mobile) == [Outcome.CODE_SENT, Outcome.CODE_SENT, Outcome.LIMITED]


def test_codes_are_limited_per_address(client, settings):
    settings.PORTAL_CODES_PER_ADDRESS_PER_HOUR = 2
    contacts = f.EnterpriseContactFactory.create_batch(3)
    for contact in contacts[:2]:
        assert ask_code(client, contact.mobile, address="10.9.9.9").status_code == 302
    assert "获取验证码过于频繁" in ask_code(client, contacts[2].mobile, address="10.9.9.9").content.decode()
    assert len(sms.outbox) == 2
    # Another address still may.
    assert ask_code(client, contacts[2].mobile, address="10.9.9.8").status_code == 302
    assert len(sms.outbox) == 3


def test_code_tries_are_limited_per_address_whatever_the_mobiles(client, settings):
    settings.PORTAL_TRIES_PER_ADDRESS_PER_HOUR = 3
    contacts = f.EnterpriseContactFactory.create_batch(4)
    for contact in contacts:
        ask_code(client, contact.mobile, address="10.7.7.7")
    codes = {text.mobile: re.search(r"\d{6}", text.text).group() for text in sms.outbox}
    for contact in contacts[:3]:  # one wrong try each: one address guessing for several mobiles
        wrong = "000000" if codes[contact.mobile] != "000000" else "111111"
        assert "验证码不正确" in enter(client, contact.mobile, wrong, address="10.7.7.7").content.decode()
    # The fourth mobile's right code is refused from that address, and its code is left untouched.
    page = enter(client, contacts[3].mobile, codes[contacts[3].mobile], address="10.7.7.7")
    assert page.status_code == 200 and "此网络尝试验证码次数过多，请一小时后再试。" in page.content.decode()
    assert settings.PORTAL_COOKIE_NAME not in page.cookies and not ContactSession.objects.exists()
    assert outcomes(contacts[3].mobile) == [Outcome.CODE_SENT, Outcome.LIMITED]
    assert SignInLog.objects.filter(outcome=Outcome.LIMITED).get().address == "10.7.7.7"
    assert SignInCode.objects.get(mobile=contacts[3].mobile).attempts == 0
    # Another address still may, and an hour later the first one too.
    assert enter(client, contacts[3].mobile, codes[contacts[3].mobile], address="10.7.7.8").url == HOME
    client.cookies.clear()
    SignInLog.objects.update(at=timezone.now() - datetime.timedelta(hours=1, seconds=1))
    ask_code(client, contacts[0].mobile, address="10.7.7.7")
    assert enter(client, contacts[0].mobile, sent_code(), address="10.7.7.7").url == HOME


def test_an_unknown_or_inactive_mobile_gets_the_same_page_and_no_text(client, contact):
    f.EnterpriseContactFactory(mobile="13587654321", is_active=False)
    known = without_tokens(client.get(ask_code(client, contact.mobile).url).content.decode())
    for mobile in ("13900000000", "13587654321"):
        response = ask_code(client, mobile)
        assert response.status_code == 302
        page = without_tokens(client.get(response.url).content.decode())
        assert page.replace(mobile, contact.mobile) == known
        assert outcomes(mobile) == [Outcome.UNKNOWN_MOBILE]
    assert len(sms.outbox) == 1


def test_a_bad_mobile_gets_a_chinese_message(client):
    page = client.post(LOGIN, {"mobile": "12345"})
    assert page.status_code == 200 and "手机号应为 11 位数字" in page.content.decode()
    assert not SignInLog.objects.exists()


def test_the_login_page_greets_the_enterprise_of_the_card(client, contact):
    page = client.get(f"{LOGIN}?c={contact.enterprise.credit_code}").content.decode()
    assert "桐乡毛衫有限公司，您好" in page
    assert "admin" not in page and "/static/" not in page
    assert "您好" not in client.get(f"{LOGIN}?c=NOSUCHCODE").content.decode()


def test_one_mobile_of_several_enterprises_chooses_after_sign_in(client, contact):
    other = f.EnterpriseContactFactory(mobile=contact.mobile, enterprise__name="桐乡纺织有限公司")
    stranger = f.EnterpriseContactFactory(enterprise__name="别家企业")
    ask_code(client, contact.mobile)
    response = enter(client, contact.mobile, sent_code())
    assert response.url == reverse("portal:choose")
    page = client.get(response.url).content.decode()
    assert "桐乡毛衫有限公司" in page and "桐乡纺织有限公司" in page and "别家企业" not in page
    # Another mobile's contact cannot be chosen.
    client.post(reverse("portal:choose"), {"contact": stranger.pk})
    assert "别家企业" not in client.get(HOME).content.decode()
    assert client.post(reverse("portal:choose"), {"contact": other.pk}).url == HOME
    assert "桐乡纺织有限公司" in client.get(HOME).content.decode()


def test_sessions_slide_end_on_sign_out_and_expire(client, contact):
    sign_in(client, contact)
    assert client.get(HOME).status_code == 200
    session = ContactSession.objects.get()
    assert session.expires_at > timezone.now() + datetime.timedelta(
        seconds=settings.PORTAL_SESSION_SECONDS - 60
    )
    ContactSession.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(HOME).url == LOGIN
    sign_in(client, contact)
    response = client.post(reverse("portal:signout"))
    assert response.url == LOGIN
    assert client.get(HOME).url == LOGIN
    assert ContactSession.objects.filter(ended_at__isnull=False).count() == 1
    # A contact no longer active is signed out.
    sign_in(client, contact)
    contact.is_active = False
    contact.save()
    assert client.get(HOME).url == LOGIN


def test_a_staff_session_opens_no_enterprise_page(office):
    for url in (HOME, reverse("portal:choose")):
        response = office.get(url)
        assert response.status_code == 302 and response.url == LOGIN


def test_the_portal_cookie_opens_no_staff_page(client, contact):
    sign_in(client, contact)
    for name in ("issues:inbox", "jobs:notices", "visits:my"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith("/login/")
    assert client.get("/admin/").status_code == 302


def test_the_home_shows_its_cadres_and_items_only(client, contact):
    pairing = f.PairingFactory(
        enterprise=contact.enterprise, cadre__name="张卫东", cadre__mobile="13700001111"
    )
    f.submitted_visit(pairing, datetime.date(2026, 4, 2))
    f.VisitFactory(pairing=pairing, visit_date=datetime.date(2026, 5, 6))  # a draft: not a visit yet
    own = f.IssueItemFactory(enterprise=contact.enterprise, description="厂房消防验收")
    other = f.IssueItemFactory(description="别家的融资问题")
    sign_in(client, contact)
    page = client.get(HOME).content.decode()
    assert "张卫东" in page and "13700001111" in page and "2026-04-02" in page and "2026-05-06" not in page
    assert "厂房消防验收" in page and "别家的融资问题" not in page
    assert client.get(reverse("portal:item", args=[own.pk])).status_code == 200
    assert client.get(reverse("portal:item", args=[other.pk])).status_code == 404
    assert client.get(reverse("portal:item", args=[999999])).status_code == 404


def test_internal_comments_are_never_shown(client, contact, staff_user):
    item = f.IssueItemFactory(enterprise=contact.enterprise, status=IssueItem.Status.OFFICE)
    workflow.record(item, workflow.IssueEvent.Kind.MOVED, by=staff_user, comment="内部意见：企业态度差")
    slip = f.ReferralSlipFactory(item=item, status=ReferralSlip.Status.RETURNED)
    issue_services.answer(slip, measures="内部措施说明", result="已协调银行续贷500万元", by=staff_user)
    sign_in(client, contact)
    url = reverse("portal:item", args=[item.pk])
    page = client.get(url).content.decode()
    assert slip.department.name in page and slip.deadline.isoformat() in page
    # Not accepted yet: the answer waits for the office.
    assert "已协调银行续贷500万元" not in page
    issue_services.accept(slip, by=staff_user)
    page = client.get(url).content.decode()
    assert "已协调银行续贷500万元" in page
    for internal in ("内部意见", "未实际解决", "内部措施说明", "走访反馈表提交", staff_user.username):
        assert internal not in page
    assert "已解决" in page


def test_the_language_switch_stays_under_the_prefix(client):
    response = client.post(reverse("portal:language"), {"language": "en", "next": "/admin/"})
    assert response.url == HOME
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    response = client.post(reverse("portal:language"), {"language": "zh-hans", "next": LOGIN})
    assert response.url == LOGIN


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64


def upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/png")


def raise_one(client, files=(), **fields):
    data = {"category": "funding", "description": "急需流动资金贷款 300 万元", **fields, "files": list(files)}
    return client.post(reverse("portal:new_request"), data)


def test_a_request_makes_an_item_its_event_and_notices(client, contact, settings):
    from jobs.handoffs import dispatch
    from jobs.models import ReminderLog

    paired = f.CadreFactory()
    f.user_with_role("cadre", cadre=paired, username="pairedcadre", email="c@example.org")
    f.PairingFactory(enterprise=contact.enterprise, cadre=paired)
    f.PairingFactory(cadre__name="别家干部")  # another enterprise's cadre: not told
    staff = f.user_with_role("liaison_staff", username="office1", email="o@example.org")
    sign_in(client, contact)
    response = raise_one(client, [upload("照片.png", PNG), upload("说明.pdf", PDF)])
    item = IssueItem.objects.get()
    assert response.status_code == 302 and response.url == reverse("portal:item", args=[item.pk])
    assert (item.source, item.raised_by, item.status, item.enterprise) == (
        IssueItem.Source.ENTERPRISE, contact, IssueItem.Status.NEW, contact.enterprise,
    )  # fmt: skip
    event = item.events.get()
    assert event.kind == workflow.IssueEvent.Kind.CREATED and event.actor_name == contact.name
    files = list(item.attachments.order_by("id"))
    assert [(a.original_name, a.content_type, a.contact) for a in files] == [
        ("照片.png", "image/png", contact), ("说明.pdf", "application/pdf", contact),
    ]  # fmt: skip
    assert "/private/" in files[0].file.path and "static" not in files[0].file.path
    dispatch()
    told = set(ReminderLog.objects.filter(kind="handoff").values_list("recipient__username", flat=True))
    assert {"pairedcadre", "office1"} <= told
    assert all(
        "企业自报" in s for s in ReminderLog.objects.filter(kind="handoff").values_list("subject", flat=True)
    )
    page = client.get(response.url).content.decode()
    assert "急需流动资金贷款" in page and "照片.png" in page and "企业自报" in page
    # The staff see it, with its files.
    staff_client = type(client)()
    staff_client.force_login(staff)
    staff_page = staff_client.get(reverse("issues:item", args=[item.pk])).content.decode()
    assert contact.name in staff_page and "照片.png" in staff_page
    assert staff_client.get(reverse("issues:attachment", args=[files[0].pk])).getvalue() == PNG


@pytest.mark.parametrize(
    "files, message",
    [
        ([("假图片.png", b"MZ\x90\x00 not an image")], "不是 JPEG、PNG 图片或 PDF 文件"),
        ([("大.png", PNG + b"0" * (1024 * 1024))], "超过 1 MB"),
        ([(f"{n}.png", PNG) for n in range(4)], "最多上传 3 个文件"),
    ],
)
def test_a_refused_file_writes_nothing(client, contact, settings, files, message):
    settings.PORTAL_UPLOAD_MAX_MB = 1
    sign_in(client, contact)
    page = raise_one(client, [upload(name, data) for name, data in [("好.png", PNG), *files]][:5])
    assert page.status_code == 200 and message in page.content.decode()
    assert not IssueItem.objects.exists()
    assert not workflow.IssueEvent.objects.exists()
    from issues.models import ItemAttachment

    assert not ItemAttachment.objects.exists()
    private = settings.MEDIA_ROOT / "private"
    assert not private.exists() or not any(p.is_file() for p in private.rglob("*"))


def test_an_empty_request_gets_a_chinese_message(client, contact):
    sign_in(client, contact)
    page = raise_one(client, description="", category="nonsense").content.decode()
    assert "这个字段是必填项" in page or "必填" in page
    assert not IssueItem.objects.exists()


def test_an_attachment_is_served_only_to_its_enterprise(client, contact):
    own = f.ItemAttachmentFactory(item__enterprise=contact.enterprise)
    other = f.ItemAttachmentFactory()
    sign_in(client, contact)
    response = client.get(reverse("portal:attachment", args=[own.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(reverse("portal:attachment", args=[other.pk])).status_code == 404
    client.cookies.clear()
    assert client.get(reverse("portal:attachment", args=[own.pk])).url == LOGIN


def test_the_code_text_is_chinese_whatever_the_browser(client, contact):
    client.post(LOGIN, {"mobile": contact.mobile}, HTTP_ACCEPT_LANGUAGE="en")
    assert "企业服务登录验证码" in sms.outbox[-1].text


def test_demo_enterprises_each_have_a_contact_apart_from_the_cadres():
    import io

    from django.core.management import call_command

    from cadres.models import Cadre
    from enterprises.models import Enterprise, EnterpriseContact

    call_command("seed_demo", enterprises=12, cadres=8, stdout=io.StringIO())
    contacts = EnterpriseContact.objects.order_by("enterprise_id")
    assert contacts.count() == Enterprise.objects.count() == 12
    assert contacts.first().mobile == "19000000001"
    cadres = set(Cadre.objects.values_list("mobile", flat=True))
    assert not set(contacts.values_list("mobile", flat=True)) & cadres


# -- the enterprise confirms a resolution on its own page (issue 17.5) ------


def resolved_item(contact):
    """An item of the contact's enterprise walked to 已解决 (which asks it to confirm)."""
    return f.IssueItemFactory(enterprise=contact.enterprise, status=IssueItem.Status.RESOLVED)


def test_the_contact_rates_a_resolution_satisfied(client, contact):
    item = resolved_item(contact)
    sign_in(client, contact)
    page = client.get(reverse("portal:item", args=[item.pk])).content.decode()
    assert "请评价解决结果" in page and "基本满意" in page
    response = client.post(reverse("portal:confirm", args=[item.pk]), {"verdict": "satisfied"})
    assert response.status_code == 302
    answered = item.confirmations.get()
    assert (answered.verdict, answered.contact) == ("satisfied", contact)
    page = client.get(reverse("portal:item", args=[item.pk])).content.decode()
    assert "请评价解决结果" not in page and "企业评价" in page  # on the public timeline, once answered


def test_unsatisfied_needs_a_reason_and_reopens_the_item(client, contact):
    item = resolved_item(contact)
    sign_in(client, contact)
    url = reverse("portal:confirm", args=[item.pk])
    refused = client.post(url, {"verdict": "unsatisfied", "comment": "  "})
    assert refused.status_code == 400 and "不满意时请说明" in refused.content.decode()
    assert item.confirmations.get().verdict == ""  # nothing written
    item.refresh_from_db()
    assert item.status == IssueItem.Status.RESOLVED
    client.post(url, {"verdict": "unsatisfied", "comment": "银行只续贷了一半"})
    item.refresh_from_db()
    assert item.status == IssueItem.Status.OFFICE and item.resolved_on is None
    page = client.get(reverse("portal:item", args=[item.pk])).content.decode()
    assert "联络办受理" in page and "银行只续贷了一半" not in page  # comments are the staff's


def test_a_contact_cannot_rate_another_enterprises_item(client, contact):
    other = f.IssueItemFactory(status=IssueItem.Status.RESOLVED)
    sign_in(client, contact)
    refused = client.post(reverse("portal:confirm", args=[other.pk]), {"verdict": "satisfied"})
    assert refused.status_code == 404
    assert other.confirmations.get().verdict == ""


def test_the_home_page_reads_its_items_slips_in_a_fixed_number_of_queries(client, contact):
    """The list reads every item's slips at once, not per item."""
    sign_in(client, contact)

    def queries_for_home():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as seen:
            assert client.get(HOME).status_code == 200
        return len(seen)

    f.IssueItemFactory(enterprise=contact.enterprise, status=IssueItem.Status.REFERRED)
    few = queries_for_home()
    for _ in range(4):
        f.IssueItemFactory(enterprise=contact.enterprise, status=IssueItem.Status.REFERRED)
    assert queries_for_home() == few


def test_a_request_failing_midway_leaves_no_file_and_no_row(client, contact, settings, monkeypatch):
    """The second file's row fails to save: the first file, already stored,
    is removed with the rolled-back item (nothing half-written)."""
    from pathlib import Path

    from django.db import DatabaseError

    from issues.models import ItemAttachment

    saves = []
    real_save = ItemAttachment.save

    def failing_save(self, *args, **kwargs):
        saves.append(self.file.name)
        if len(saves) == 2:
            raise DatabaseError("disk full")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(ItemAttachment, "save", failing_save)
    sign_in(client, contact)
    client.raise_request_exception = False
    response = raise_one(client, [upload("一.png", PNG), upload("二.pdf", PDF)])
    assert response.status_code == 500 and len(saves) == 2
    assert not IssueItem.objects.filter(raised_by=contact).exists() and not ItemAttachment.objects.exists()
    stored = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert stored == []
