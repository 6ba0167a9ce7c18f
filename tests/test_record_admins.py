"""The admin of the enterprise pages' sign-in records and of the enterprises'
verdicts (issue 17): liaison staff look at them, nobody (a superuser neither)
adds, changes or deletes one there; a code, a session key and their hashes
are never shown. The verdict is written only by ``issues.services.confirm``
and ``deem_overdue``."""

import pytest
from django.urls import reverse

from enterprises.models import ContactSession, SignInCode, SignInLog
from issues.models import Confirmation
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    contact = f.EnterpriseContactFactory(
        name="王联络", enterprise__name="桐乡毛衫有限公司", mobile="13512345678"
    )
    code = f.SignInCodeFactory(mobile=contact.mobile, code="864213", attempts=2)
    session = f.ContactSessionFactory(contact=contact, key_hash="ab" * 32)
    log = f.SignInLogFactory(mobile=contact.mobile, contact=contact, outcome=SignInLog.Outcome.SIGNED_IN)
    item = f.IssueItemFactory(enterprise=contact.enterprise, status="resolved")
    confirmation = f.ConfirmationFactory(
        item=item, verdict="unsatisfied", comment="贷款仍未到位", contact=contact
    )
    return {"code": code, "session": session, "log": log, "confirmation": confirmation}


def url(obj, view, *args):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("superuser", [False, True])
def test_staff_look_at_each_record_and_change_nothing(client, staff_user, records, superuser):
    staff_user.is_superuser = superuser
    staff_user.save()
    client.force_login(staff_user)
    for name, obj in records.items():
        listing = client.get(url(obj, "changelist")).content.decode()
        page = client.get(url(obj, "change", obj.pk)).content.decode()
        for text in (listing, page):
            assert "13512345678" in text or "王联络" in text, name
            assert 'name="_save"' not in text and "deletelink" not in text, name
        assert client.get(url(obj, "history", obj.pk)).status_code == 200
        assert client.get(url(obj, "add")).status_code == 403
        assert client.post(url(obj, "change", obj.pk), {}).status_code == 403
        assert client.post(url(obj, "delete", obj.pk), {"post": "yes"}).status_code == 403
        action = {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
        client.post(url(obj, "changelist"), action)
        assert type(obj).objects.filter(pk=obj.pk).exists(), name


def test_no_code_key_or_hash_is_shown(client, staff_user, records):
    client.force_login(staff_user)
    code, session = records["code"], records["session"]
    pages = [
        client.get(url(code, "changelist")).content.decode(),
        client.get(url(code, "change", code.pk)).content.decode(),
        client.get(url(session, "changelist")).content.decode(),
        client.get(url(session, "change", session.pk)).content.decode(),
    ]
    for page in pages:
        assert "864213" not in page and code.code_hash not in page and session.key_hash not in page
        assert "验证码摘要" not in page and "会话摘要" not in page
    assert "已尝试次数" in pages[1] and ">2<" in pages[1].replace(" ", "").replace("\n", "")


def test_a_verdict_reads_as_the_enterprise_gave_it(client, staff_user, records):
    client.force_login(staff_user)
    confirmation = records["confirmation"]
    page = client.get(url(confirmation, "change", confirmation.pk)).content.decode()
    assert "不满意" in page and "贷款仍未到位" in page and "王联络" in page
    assert '<input type="text" name="verdict"' not in page and 'name="verdict"' not in page
    # The history names the contact, not a deleted row, where the link was empty before.
    history = client.get(url(confirmation, "history", confirmation.pk)).content.decode()
    assert "王联络" in history and "Deleted" not in history
    # The filter: 待评价 and each verdict.
    pending = f.ConfirmationFactory(item=f.IssueItemFactory(status="resolved"))
    changelist = url(confirmation, "changelist")
    assert client.get(changelist, {"verdict": "pending"}).context["cl"].result_count == 1
    shown = client.get(changelist, {"verdict": "unsatisfied"}).context["cl"].result_list
    assert list(shown) == [confirmation] and pending not in shown


def test_an_officer_opens_none_of_them(client, officer_a, records):
    client.force_login(officer_a)
    for obj in records.values():
        assert client.get(url(obj, "changelist")).status_code == 403
        assert client.get(url(obj, "change", obj.pk)).status_code == 403


def test_the_empty_lists_open(client, staff_user):
    client.force_login(staff_user)
    for model in (SignInLog, SignInCode, ContactSession, Confirmation):
        page = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
        assert page.status_code == 200 and str(model._meta.verbose_name_plural) in page.content.decode()
