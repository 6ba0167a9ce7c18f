"""Referral slips (交办单, R13): serial numbers, deadlines, the department's
answer, the office's acceptance or return, extensions."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from cadres.models import Unit
from issues import services
from issues.models import ExtensionRequest, IssueItem, ReferralSlip, SerialCounter
from tests.factories import CadreFactory, EnterpriseFactory, UnitFactory

S = IssueItem.Status
D = datetime.date


def office_item(**kwargs):
    item = IssueItem.objects.create(
        enterprise=EnterpriseFactory(),
        reporter=CadreFactory(),
        category=kwargs.pop("category", "funding"),
        description="贷款难",
        status=S.OFFICE,
        **kwargs,
    )
    return item


@pytest.mark.django_db
def test_referral_numbers_the_slip_and_computes_the_deadline(staff_user):
    department = UnitFactory(name="市金融办")
    first = services.refer(
        office_item(), department=department, by=staff_user, on=D(2026, 9, 30), working_days=3
    )
    second = services.refer(office_item(), department=department, by=staff_user, on=D(2026, 9, 30))
    assert first.serial == "桐联企交〔2026〕第0001号" and second.serial == "桐联企交〔2026〕第0002号"
    assert first.deadline == D(2026, 10, 10)  # National Day, then the 调休 Saturday
    assert second.working_days == 10  # the funding default
    assert first.item.status == S.REFERRED
    assert first.item.events.get().comment == (
        "交办至市金融办（桐联企交〔2026〕第0001号，办理期限 2026-10-10）"
    )


@pytest.mark.django_db
def test_numbers_restart_each_year_and_a_failed_issue_leaves_no_gap(staff_user, time_machine):
    time_machine.move_to(datetime.datetime(2027, 1, 4, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    department = UnitFactory()
    services.refer(office_item(), department=department, by=staff_user, on=D(2026, 12, 31))
    not_ready = IssueItem.objects.create(enterprise=EnterpriseFactory(), category="other", description="x")
    with pytest.raises(ValidationError):
        services.refer(not_ready, department=department, by=staff_user, on=D(2027, 1, 4))  # still 新提交
    slip = services.refer(office_item(), department=department, by=staff_user, on=D(2027, 1, 4))
    assert slip.serial == "桐联企交〔2027〕第0001号"


@pytest.mark.django_db
def test_only_departments_receive_referral_slips(staff_user):
    town = UnitFactory(kind=Unit.Kind.LEADERSHIP, name="市政府")
    with pytest.raises(ValidationError):
        services.refer(office_item(), department=town, by=staff_user)


@pytest.mark.django_db
def test_answer_then_accept_resolves_the_item(staff_user, officer_a, unit_a):
    slip = services.refer(office_item(), department=unit_a, by=staff_user)
    with pytest.raises(ValidationError):
        services.accept(slip, by=staff_user)  # nothing to accept yet
    services.answer(slip, measures="协调银行", result="已发放贷款 500 万元", by=officer_a)
    services.accept(slip, by=staff_user)
    slip.refresh_from_db()
    assert slip.status == ReferralSlip.Status.ACCEPTED and slip.item.status == S.RESOLVED
    assert [(e.kind, e.to_status) for e in slip.item.events.all()] == [
        ("moved", S.REFERRED),
        ("answered", S.REFERRED),
        ("moved", S.RESOLVED),
    ]


@pytest.mark.django_db
def test_the_office_can_send_a_result_back(staff_user, officer_a, unit_a):
    slip = services.refer(office_item(), department=unit_a, by=staff_user)
    services.answer(slip, measures="", result="已电话联系", by=officer_a)
    with pytest.raises(ValidationError):
        services.send_back(slip, by=staff_user, reason="")
    services.send_back(slip, by=staff_user, reason="未实际解决")
    slip.refresh_from_db()
    assert slip.status == ReferralSlip.Status.RETURNED and slip.item.status == S.REFERRED
    services.answer(slip, measures="上门协调", result="已解决", by=officer_a)  # the department works again


@pytest.mark.django_db
def test_extension_moves_the_deadline_in_working_days(staff_user, officer_a, unit_a):
    slip = services.refer(office_item(), department=unit_a, by=staff_user, on=D(2026, 9, 25), working_days=2)
    assert slip.deadline == D(2026, 9, 29)
    request = services.request_extension(slip, reason="需省厅批复", extra_working_days=3, by=officer_a)
    with pytest.raises(ValidationError):
        services.request_extension(
            slip, reason="再延", extra_working_days=1, by=officer_a
        )  # one pending at a time
    services.decide_extension(request, approve=True, by=staff_user)
    slip.refresh_from_db()
    assert slip.deadline == D(2026, 10, 9)  # 30 Sep, then 8 and 9 Oct after National Day
    assert ExtensionRequest.objects.get().decision == "approved"


@pytest.mark.django_db(transaction=True)
def test_two_staff_issuing_at_the_same_instant_get_consecutive_numbers(postgres, role_groups):
    """On PostgreSQL, concurrent transactions: unique and gapless."""
    from tests.factories import user_with_role

    staff = user_with_role("liaison_staff", username="staff2")
    department = UnitFactory()
    items = [office_item() for _ in range(6)]
    barrier = threading.Barrier(len(items))
    errors, serials = [], []

    def issue(item):
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                serials.append(
                    services.refer(item, department=department, by=staff, on=D(2026, 11, 26)).serial
                )
        except Exception as exc:  # report, don't hide
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(serials) == [f"桐联企交〔2026〕第{n:04d}号" for n in range(1, 7)]
    assert SerialCounter.objects.get(kind="交", year=2026).last == 6
