"""Spot checks (R15), the circulated notice, the satisfaction rate beside the
resolution rate (R16), and monthly progress on long-running items."""

import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from issues import rates, selectors, spotchecks, workflow
from issues.models import IssueItem, ProgressEntry, SpotCheck
from tests.factories import CadreFactory, EnterpriseFactory, PairingFactory, UnitFactory, user_with_role
from visits.quarters import Quarter

pytestmark = pytest.mark.django_db
D = datetime.date
Q3 = Quarter(2026, 3)


@pytest.mark.parametrize(
    "sizes, total, shares",
    [
        ({"a": 50, "b": 30, "c": 20}, 10, {"a": 5, "b": 3, "c": 2}),
        ({"a": 1, "b": 1, "c": 1}, 2, {"a": 1, "b": 1, "c": 0}),
        ({"a": 7, "b": 3}, 4, {"a": 3, "b": 1}),  # 2.8 and 1.2: the larger remainder wins
        ({"a": 2, "b": 1}, 10, {"a": 2, "b": 1}),  # never more than a stratum has
        ({"a": 5}, 0, {"a": 0}),
    ],
)
def test_allocation_is_proportional_by_largest_remainder(sizes, total, shares):
    assert spotchecks.allocate(sizes, total) == shares
    assert sum(shares.values()) == min(total, sum(sizes.values()))


@pytest.fixture
def population():
    units = [UnitFactory(name=f"单位{n}") for n in range(3)]
    for unit, count in zip(units, (12, 6, 2), strict=True):
        for _ in range(count):
            PairingFactory(cadre=CadreFactory(unit=unit), start_date=D(2026, 3, 27))
    PairingFactory(start_date=D(2026, 9, 20))  # not due in Q3: never sampled
    return units


def test_the_sample_is_reproducible_and_stratified_by_unit(population):
    first = spotchecks.sample_pairings(Q3, 10, seed=7)
    assert first == spotchecks.sample_pairings(Q3, 10, seed=7)
    assert first != spotchecks.sample_pairings(Q3, 10, seed=8)
    from cadres.models import Cadre

    units = [Cadre.objects.get(pk=cadre_id).unit.name for cadre_id, _ in first]
    assert (units.count("单位0"), units.count("单位1"), units.count("单位2")) == (6, 3, 1)


def test_every_item_withdrawn_in_the_quarter_joins_the_batch(population, staff_user):
    cadre = CadreFactory()
    item = IssueItem.objects.create(
        enterprise=EnterpriseFactory(), reporter=cadre, category="labour", description="x"
    )
    with time_machine.travel(datetime.datetime(2026, 8, 10, 9, tzinfo=datetime.UTC)):
        workflow.move(
            item,
            IssueItem.Status.WITHDRAWN,
            by=staff_user,
            reason="企业称已自行解决",
            enterprise_confirmed=True,
        )
    batch = spotchecks.create_batch(quarter=Q3, size=5, seed=1, title="", by=staff_user)
    reasons = sorted(batch.checks.values_list("reason", flat=True))
    assert reasons == ["sampled"] * 5 + ["withdrawn"]
    assert batch.checks.get(reason="withdrawn").item == item
    assert batch.title == "2026Q3 联系人联企情况抽查"


@pytest.fixture
def supervisor(population):
    return user_with_role("supervisor", username="ducha")


def record(client, check, checked_on, **answers):
    """The supervisor's form for one check of its batch, posted by phone."""
    fields = {"method": "phone", "checked_on": checked_on, **answers}
    client.post(
        reverse("issues:spotcheck_batch", args=[check.batch_id]),
        {"check": check.pk, **{f"c{check.pk}-{name}": value for name, value in fields.items()}},
    )


def test_supervisor_records_checks_and_circulates_a_notice(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("issues:spotchecks"), {"quarter": "2026Q3", "sample_size": 4, "seed": 20261126}
    )
    batch = supervisor.spotcheckbatch_set.get()
    assert response["Location"] == reverse("issues:spotcheck_batch", args=[batch.pk])
    checks = list(batch.checks.all())
    outcomes = [
        ("true", "satisfied", ""),
        ("true", "basically", ""),
        ("false", "dissatisfied", "企业称从未见过联系人"),
        ("true", "", ""),
    ]
    for check, (confirmed, satisfaction, finding) in zip(checks, outcomes, strict=True):
        record(
            client, check, "2026-10-20", visit_confirmed=confirmed, satisfaction=satisfaction, finding=finding
        )
    assert SpotCheck.objects.filter(checked_on=D(2026, 10, 20)).count() == 4
    page = client.get(reverse("issues:spotcheck_notice", args=[batch.pk])).content.decode()
    assert "企业称从未见过联系人" in page and "66.7%" in page  # 2 of 3 answers satisfied
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("issues:spotcheck_notice", args=[batch.pk]) + "?format=xlsx").content)
    )
    sheet = workbook.active
    assert sheet["A1"].value.endswith("通报") and sheet.max_row == 2 + 4


def test_future_check_dates_are_refused(client, supervisor):
    batch = spotchecks.create_batch(quarter=Q3, size=1, seed=1, title="", by=supervisor)
    check = batch.checks.get()
    client.force_login(supervisor)
    record(client, check, "2099-01-01", visit_confirmed="true")
    check.refresh_from_db()
    assert check.checked_on is None


def test_only_the_supervising_office_runs_spot_checks(client, officer_a):
    client.force_login(officer_a)
    assert client.get(reverse("issues:spotchecks")).status_code == 403


def test_satisfaction_rate_beside_the_resolution_rate(supervisor):
    batch = spotchecks.create_batch(quarter=Q3, size=3, seed=3, title="", by=supervisor)
    for check, answer in zip(batch.checks.all(), ("satisfied", "dissatisfied", ""), strict=True):
        spotchecks.record_check(
            check,
            by=supervisor,
            method="phone",
            checked_on=D(2026, 8, 1),
            visit_confirmed=True,
            satisfaction=answer,
        )
    figures = rates.satisfaction(Q3)
    assert (figures.responses, figures.satisfied, figures.rate) == (2, 1, 0.5)
    assert rates.satisfaction(Quarter(2026, 4)).rate is None


def test_rates_page(client, staff_user, officer_a, unit_a, unit_b):
    def item(unit, **kwargs):
        return IssueItem.objects.create(
            enterprise=EnterpriseFactory(),
            reporter=CadreFactory(unit=unit),
            category="labour",
            description="x",
            reported_on=D(2026, 8, 1),
            **kwargs,
        )

    item(unit_a, status=IssueItem.Status.RESOLVED, resolved_on=D(2026, 9, 1))
    item(unit_b)
    client.force_login(staff_user)
    page = client.get(reverse("issues:rates") + "?quarter=2026Q3").content.decode()
    assert "市经信局" in page and "市商务局" in page and "100.0%" in page and "0.0%" in page
    client.force_login(officer_a)
    page = client.get(reverse("issues:rates") + "?quarter=2026Q3").content.decode()
    assert "市经信局" in page and "市商务局" not in page


def test_long_running_items_owe_a_progress_entry_each_month(staff_user):
    old = IssueItem.objects.create(
        enterprise=EnterpriseFactory(),
        category="labour",
        description="x",
        reported_on=D(2026, 9, 1),
        status="referred",
    )
    IssueItem.objects.create(
        enterprise=EnterpriseFactory(), category="labour", description="y", reported_on=D(2026, 11, 20)
    )
    IssueItem.objects.create(
        enterprise=EnterpriseFactory(),
        category="labour",
        description="z",
        reported_on=D(2026, 9, 1),
        status="resolved",
    )
    today = D(2026, 11, 26)
    assert list(selectors.needing_progress(today)) == [old]
    ProgressEntry.objects.create(item=old, month=D(2026, 11, 1), text="部门正在协调", by=staff_user)
    assert not selectors.needing_progress(today).exists()
    assert list(selectors.needing_progress(D(2026, 12, 2))) == [old]  # a new month, a new entry


def _withdraw(item, by, when):
    with time_machine.travel(when):
        workflow.move(
            item, IssueItem.Status.WITHDRAWN, by=by, reason="企业称已自行解决", enterprise_confirmed=True
        )


def _draw(quarter, when, by, seed=1):
    with time_machine.travel(when):
        return spotchecks.create_batch(quarter=quarter, size=2, seed=seed, title="", by=by)


def _rechecked(batch):
    return list(batch.checks.filter(reason="withdrawn").values_list("item_id", flat=True))


def test_an_item_withdrawn_after_the_sample_was_drawn_joins_the_next_batch_once(population, staff_user):
    """The 2026Q3 sample is drawn on 20 September; an item withdrawn on 25
    September escaped it, so the next batch drawn (a second Q3 batch, or the
    Q4 one) takes it, and no batch after that takes it again (R15)."""
    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    early, late = (
        IssueItem.objects.create(
            enterprise=EnterpriseFactory(), reporter=CadreFactory(), category="labour", description=text
        )
        for text in ("早撤回", "晚撤回")
    )
    _withdraw(early, staff_user, datetime.datetime(2026, 8, 10, 9, tzinfo=shanghai))
    first = _draw(Q3, datetime.datetime(2026, 9, 20, 9, tzinfo=shanghai), staff_user)
    assert _rechecked(first) == [early.pk]
    _withdraw(late, staff_user, datetime.datetime(2026, 9, 25, 9, tzinfo=shanghai))
    second = _draw(Q3, datetime.datetime(2026, 10, 8, 9, tzinfo=shanghai), staff_user, seed=2)
    assert _rechecked(second) == [late.pk]  # joins the next batch; the early one is not drawn again
    assert second.checks.get(reason="withdrawn").cadre == late.reporter
    third = _draw(Quarter(2026, 4), datetime.datetime(2026, 12, 20, 9, tzinfo=shanghai), staff_user)
    assert _rechecked(third) == []
    assert SpotCheck.objects.filter(item=late).count() == 1


def test_an_item_withdrawn_in_a_later_quarter_joins_the_next_batch_whatever_its_quarter(
    population, staff_user
):
    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    item = IssueItem.objects.create(
        enterprise=EnterpriseFactory(), reporter=CadreFactory(), category="market", description="x"
    )
    _draw(Q3, datetime.datetime(2026, 9, 30, 9, tzinfo=shanghai), staff_user)
    _withdraw(item, staff_user, datetime.datetime(2026, 10, 2, 9, tzinfo=shanghai))
    # the office draws Q3 again in October: the October withdrawal is not left waiting for a Q4 batch
    batch = _draw(Q3, datetime.datetime(2026, 10, 9, 9, tzinfo=shanghai), staff_user, seed=3)
    assert _rechecked(batch) == [item.pk]
    assert (
        _rechecked(_draw(Quarter(2026, 4), datetime.datetime(2026, 12, 1, 9, tzinfo=shanghai), staff_user))
        == []
    )


def test_a_quarter_that_has_not_begun_is_refused_by_the_service(population, staff_user):
    from django.core.exceptions import ValidationError

    with time_machine.travel(
        datetime.datetime(2026, 9, 30, 23, 0, tzinfo=datetime.UTC)
    ):  # 1 Oct in Tongxiang
        batch = spotchecks.create_batch(quarter=Quarter(2026, 4), size=1, seed=1, title="", by=staff_user)
        assert batch.quarter == "2026Q4"
    with (
        time_machine.travel(datetime.datetime(2026, 9, 30, 15, 0, tzinfo=datetime.UTC)),  # 30 Sep 23:00
        pytest.raises(ValidationError) as refused,
    ):
        spotchecks.create_batch(quarter=Quarter(2026, 4), size=1, seed=2, title="", by=staff_user)
    assert refused.value.message_dict["quarter"] == [
        "2026Q4 尚未开始（2026-10-01 起），不能抽取该季度的样本；请选择已开始的季度。"
    ]
    assert SpotCheck.objects.filter(batch__seed=2).count() == 0


def test_a_quarter_that_has_not_begun_is_refused_on_the_page(client, supervisor):
    client.force_login(supervisor)
    with time_machine.travel(datetime.datetime(2026, 9, 20, 9, tzinfo=datetime.UTC)):
        response = client.post(
            reverse("issues:spotchecks"), {"quarter": "2026Q4", "sample_size": 4, "seed": 1}
        )
    assert response.status_code == 200
    assert "2026Q4 尚未开始（2026-10-01 起），不能抽取该季度的样本" in response.content.decode()
    assert not supervisor.spotcheckbatch_set.exists()


@pytest.mark.django_db(transaction=True)
def test_two_batches_drawn_at_once_recheck_a_withdrawn_item_once(postgres, role_groups):
    """On PostgreSQL: two supervisors draw at the same instant; the withdrawn
    item lands in exactly one of the two batches."""
    import threading

    from django.db import connection

    staff = user_with_role("liaison_staff", username="office")
    PairingFactory(cadre=CadreFactory(), start_date=D(2026, 3, 27))
    item = IssueItem.objects.create(
        enterprise=EnterpriseFactory(), reporter=CadreFactory(), category="labour", description="x"
    )
    workflow.move(
        item, IssueItem.Status.WITHDRAWN, by=staff, reason="企业称已自行解决", enterprise_confirmed=True
    )
    barrier, errors = threading.Barrier(2), []

    def draw(seed):
        try:
            barrier.wait(timeout=10)
            spotchecks.create_batch(quarter=Q3, size=1, seed=seed, title="", by=staff)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=draw, args=(seed,)) for seed in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert SpotCheck.objects.filter(item=item).count() == 1
    assert SpotCheck.objects.filter(reason="sampled").count() == 2
