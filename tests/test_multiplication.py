"""The six-doubling registry (R17): dated membership with evidence, derivation
from revenue at the thresholds, plans with a baseline frozen on approval,
progress, the pipeline, the category-list import and who may edit plans."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from multiplication import selectors, services
from multiplication.models import (
    CategoryRemit,
    DoublingPlan,
    Membership,
    MembershipSource,
    PlanTownTarget,
    RevenueFigure,
    RevenueSource,
)
from multiplication.resources import CategoryListResource
from multiplication.rules import Category, certificate_expiry, qualifies
from tabular.formats import SafeXLSX
from tests.factories import (
    CadreFactory,
    EnterpriseFactory,
    PairingFactory,
    PlaceFactory,
    UnitFactory,
    submitted_visit,
    user_with_role,
)
from tests.test_import import errors_of, xlsx_bytes

pytestmark = pytest.mark.django_db

D = datetime.date


def member(enterprise, category, started_on, ended_on=None, **evidence):
    defaults = {
        Category.ABOVE_SIZE: {"statistics_year": started_on.year - 1, "revenue": Decimal("2500")},
        Category.BILLION: {"statistics_year": started_on.year - 1, "revenue": Decimal("12000")},
        Category.FOREIGN: {"approval_number": "浙桐外资〔2015〕1号"},
        Category.HIGH_TECH: {"certificate_number": "GR201533000001", "certificate_issued_on": started_on},
        Category.JOINT_STOCK: {"converted_on": started_on},
        Category.LISTED: {"exchange": "sse", "stock_code": "603055", "listed_on": started_on},
    }[Category(category)]
    membership = Membership(
        enterprise=enterprise,
        category=category,
        started_on=started_on,
        ended_on=ended_on,
        **{**defaults, **evidence},
    )
    return services.save_membership(membership)


# -- counts on any day ---------------------------------------------------------


def test_counts_follow_entering_leaving_and_certificate_expiry_on_any_date():
    """R17: the count of a category on a past day counts the periods in force
    that day; an expired certificate ends membership on its expiry date."""
    a, b, c = EnterpriseFactory(), EnterpriseFactory(), EnterpriseFactory()
    member(a, Category.ABOVE_SIZE, D(2015, 1, 1))
    member(b, Category.ABOVE_SIZE, D(2016, 1, 1), ended_on=D(2017, 12, 31))
    cert = member(c, Category.HIGH_TECH, D(2015, 12, 8))
    assert cert.certificate_expires_on == D(2018, 12, 7)
    assert cert.ended_on == D(2018, 12, 7)

    def count(category, day):
        return selectors.city_counts(day)[category]

    assert count(Category.ABOVE_SIZE, D(2014, 12, 31)) == 0
    assert count(Category.ABOVE_SIZE, D(2015, 1, 1)) == 1
    assert count(Category.ABOVE_SIZE, D(2016, 1, 1)) == 2
    assert count(Category.ABOVE_SIZE, D(2017, 12, 31)) == 2  # the last day still counts
    assert count(Category.ABOVE_SIZE, D(2018, 1, 1)) == 1
    assert count(Category.HIGH_TECH, D(2018, 12, 7)) == 1
    assert count(Category.HIGH_TECH, D(2018, 12, 8)) == 0
    by_place = selectors.counts_on(D(2016, 6, 1), by_place=True)
    assert by_place[(Category.ABOVE_SIZE, a.place_id)] == 1 + (a.place_id == b.place_id)
    assert selectors.city_counts(D(2016, 6, 1), by_place) == selectors.city_counts(D(2016, 6, 1))


def test_certificate_runs_three_years_to_the_day_before_the_anniversary():
    assert certificate_expiry(D(2023, 12, 8)) == D(2026, 12, 7)
    assert certificate_expiry(D(2024, 2, 29)) == D(2027, 2, 28)


def test_each_category_needs_its_evidence():
    enterprise = EnterpriseFactory()
    for category, field in [
        (Category.ABOVE_SIZE, "revenue"),
        (Category.FOREIGN, "approval_number"),
        (Category.HIGH_TECH, "certificate_number"),
        (Category.JOINT_STOCK, "converted_on"),
        (Category.LISTED, "stock_code"),
    ]:
        with pytest.raises(ValidationError) as exc:
            services.save_membership(
                Membership(enterprise=enterprise, category=category, started_on=D(2020, 1, 1))
            )
        assert field in exc.value.message_dict, category


def test_overlapping_periods_of_one_category_are_refused():
    enterprise = EnterpriseFactory()
    member(enterprise, Category.LISTED, D(2018, 5, 1))
    with pytest.raises(ValidationError) as exc:
        member(enterprise, Category.LISTED, D(2020, 1, 1))
    assert "已在“上市企业”库中" in exc.value.message_dict["started_on"][0]
    member(enterprise, Category.JOINT_STOCK, D(2017, 1, 1))  # another category is fine


def test_postgres_itself_refuses_overlapping_periods(postgres):
    enterprise = EnterpriseFactory()
    member(enterprise, Category.FOREIGN, D(2018, 1, 1), ended_on=D(2019, 12, 31))
    clash = Membership(
        enterprise=enterprise, category=Category.FOREIGN, started_on=D(2019, 12, 31), approval_number="x"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        clash.save()


# -- revenue and derivation -----------------------------------------------------


def test_derivation_at_the_exact_thresholds_with_the_source_shown():
    """R17: 规上 from 2,000 万元 and 亿元 from 10,000 万元, both inclusive."""
    at, below, billion, just_below_billion = (EnterpriseFactory() for _ in range(4))
    services.record_revenue(at.pk, 2025, Decimal("2000"), RevenueSource.STATISTICS)
    services.record_revenue(below.pk, 2025, Decimal("1999.99"), RevenueSource.STATISTICS)
    services.record_revenue(billion.pk, 2025, Decimal("10000"), RevenueSource.MANUAL)
    services.record_revenue(just_below_billion.pk, 2025, Decimal("9999.99"), RevenueSource.STATISTICS)
    assert qualifies(Category.ABOVE_SIZE, Decimal("2000")) and not qualifies(
        Category.ABOVE_SIZE, Decimal("1999.99")
    )

    above = services.plan_derivation(Category.ABOVE_SIZE, 2025)
    assert above.effective_on == D(2026, 1, 1)
    assert {m.enterprise_id for m in above.entering} == {at.pk, billion.pk, just_below_billion.pk}
    services.apply_list_change(above)
    services.apply_list_change(services.plan_derivation(Category.BILLION, 2025))

    derived = Membership.objects.get(enterprise=billion, category=Category.BILLION)
    assert derived.source == MembershipSource.DERIVED
    assert (derived.statistics_year, derived.revenue, derived.revenue_source) == (2025, 10000, "manual")
    assert selectors.city_counts(D(2026, 1, 1))[Category.BILLION] == 1
    assert selectors.city_counts(D(2025, 12, 31))[Category.ABOVE_SIZE] == 0


def test_the_statistics_figure_outranks_a_visit_form_figure():
    enterprise = EnterpriseFactory()
    services.record_revenue(enterprise.pk, 2025, Decimal("2600"), RevenueSource.VISIT)
    services.record_revenue(enterprise.pk, 2025, Decimal("1800"), RevenueSource.STATISTICS)
    (best,) = selectors.best_figures(2025)
    assert (best.source, best.revenue) == ("statistics", 1800)
    assert services.plan_derivation(Category.ABOVE_SIZE, 2025).entering == []


def test_a_submitted_feedback_form_records_its_sales_as_a_revenue_figure():
    pairing = PairingFactory()
    visit = submitted_visit(pairing, D(2026, 5, 10), sales=Decimal("2100"))
    figure = RevenueFigure.objects.get(enterprise=pairing.enterprise)
    assert (figure.year, figure.revenue, figure.source, figure.visit_id) == (2026, 2100, "visit", visit.pk)


def test_a_later_derivation_ends_those_who_fell_below_the_day_before():
    up, down = EnterpriseFactory(), EnterpriseFactory()
    for enterprise in (up, down):
        services.record_revenue(enterprise.pk, 2024, Decimal("3000"), RevenueSource.STATISTICS)
    services.apply_list_change(services.plan_derivation(Category.ABOVE_SIZE, 2024))
    services.record_revenue(up.pk, 2025, Decimal("3200"), RevenueSource.STATISTICS)
    services.record_revenue(down.pk, 2025, Decimal("1600"), RevenueSource.STATISTICS)

    change = services.plan_derivation(Category.ABOVE_SIZE, 2025)
    assert ([m.enterprise_id for m in change.leaving], len(change.staying), change.entering) == (
        [down.pk],
        1,
        [],
    )
    services.apply_list_change(change)

    ended = Membership.objects.get(enterprise=down)
    assert (ended.started_on, ended.ended_on) == (D(2025, 1, 1), D(2025, 12, 31))
    kept = Membership.objects.get(enterprise=up)
    assert (kept.ended_on, kept.statistics_year, kept.revenue) == (None, 2025, 3200)
    assert selectors.city_counts(D(2026, 1, 1))[Category.ABOVE_SIZE] == 1
    with pytest.raises(ValidationError):  # an older list after a newer one would rewrite history
        services.apply_list_change(services.plan_derivation(Category.ABOVE_SIZE, 2023))


# -- plans and progress ---------------------------------------------------------


@pytest.fixture
def science_bureau():
    unit = UnitFactory(name="市科技局")
    CategoryRemit.objects.create(unit=unit, category=Category.HIGH_TECH)
    return unit


def make_plan(owner, category=Category.HIGH_TECH, **kwargs):
    plan = DoublingPlan(
        category=category,
        owner=owner,
        title=kwargs.pop("title", "高新技术企业倍增计划"),
        baseline_date=kwargs.pop("baseline_date", D(2024, 12, 31)),
        target_date=kwargs.pop("target_date", D(2027, 12, 31)),
        **kwargs,
    )
    plan.full_clean()
    plan.save()
    return plan


def test_baseline_is_counted_by_the_registry_and_frozen_on_approval(science_bureau, staff_user):
    puyuan, wuzhen = PlaceFactory(name="濮院镇"), PlaceFactory(name="乌镇镇")
    for place in (puyuan, puyuan, wuzhen):
        member(EnterpriseFactory(place=place), Category.HIGH_TECH, D(2024, 3, 1))
    plan = make_plan(science_bureau)
    PlanTownTarget.objects.create(plan=plan, place=puyuan)
    PlanTownTarget.objects.create(plan=plan, place=wuzhen, target_count=3)

    (draft,) = selectors.plan_progress(D(2026, 11, 26))
    assert (draft.city.baseline, draft.city.target) == (3, 6)  # live while a draft

    services.approve_plan(plan, staff_user)
    plan.refresh_from_db()
    assert (plan.status, plan.baseline_count, plan.target_count) == ("approved", 3, 6)
    towns = {t.place.name: (t.baseline_count, t.target_count) for t in plan.town_targets.all()}
    assert towns == {"濮院镇": (2, 4), "乌镇镇": (1, 3)}

    # A late entry dated before the baseline does not move the frozen figure.
    member(EnterpriseFactory(place=puyuan), Category.HIGH_TECH, D(2024, 6, 1))
    (approved,) = selectors.plan_progress(D(2026, 11, 26))
    assert (approved.city.baseline, approved.city.current, approved.city.increase) == (3, 4, 1)
    plan.baseline_date = D(2025, 1, 1)
    with pytest.raises(ValidationError) as exc:
        plan.full_clean()
    assert "baseline_date" in exc.value.message_dict


def test_progress_percent_and_pace_per_remaining_quarter(science_bureau, staff_user):
    plan = make_plan(science_bureau, target_count=10, target_date=D(2027, 6, 30))
    for _ in range(4):
        member(EnterpriseFactory(), Category.HIGH_TECH, D(2024, 1, 1))
    services.approve_plan(plan, staff_user)
    for _ in range(3):
        member(EnterpriseFactory(), Category.HIGH_TECH, D(2026, 1, 1))

    (p,) = selectors.plan_progress(D(2026, 11, 26))
    # baseline 4, now 7, target 10: half way; 2026Q4..2027Q2 is 3 quarters, 3 to go.
    assert (p.city.baseline, p.city.current, p.city.share) == (4, 7, 0.5)
    assert (p.city.quarters_left, p.city.pace) == (3, 1)
    (late,) = selectors.plan_progress(D(2027, 7, 1))
    assert late.city.quarters_left == 0 and late.city.pace is None


def test_a_department_plans_only_categories_in_its_remit(science_bureau):
    with pytest.raises(ValidationError) as exc:
        make_plan(science_bureau, category=Category.LISTED)
    assert "owner" in exc.value.message_dict


# -- the pipeline ---------------------------------------------------------------


def test_pipeline_lists_candidates_expiring_certificates_and_leavers():
    today = D(2026, 11, 26)
    cadre = CadreFactory(name="张联络")
    near = EnterpriseFactory(name="接近规上企业")
    PairingFactory(cadre=cadre, enterprise=near, start_date=D(2026, 3, 27))
    floor, under, already = EnterpriseFactory(), EnterpriseFactory(), EnterpriseFactory()
    services.record_revenue(near.pk, 2025, Decimal("1999.99"), RevenueSource.STATISTICS)
    services.record_revenue(floor.pk, 2025, Decimal("1500"), RevenueSource.VISIT)
    services.record_revenue(under.pk, 2025, Decimal("1499.99"), RevenueSource.STATISTICS)
    services.record_revenue(already.pk, 2025, Decimal("1800"), RevenueSource.STATISTICS)
    member(already, Category.ABOVE_SIZE, D(2024, 1, 1))

    everyone = user_with_role("leader", username="leader")
    candidates = list(selectors.threshold_candidates(Category.ABOVE_SIZE, 2025, today, user=everyone))
    assert [f.enterprise_id for f in candidates] == [near.pk, floor.pk]
    assert [p.cadre.name for p in candidates[0].enterprise.active_pairings] == ["张联络"]

    soon, renewed, later = EnterpriseFactory(), EnterpriseFactory(), EnterpriseFactory()
    member(soon, Category.HIGH_TECH, D(2024, 3, 1))  # valid through 2027-02-28
    member(renewed, Category.HIGH_TECH, D(2024, 2, 1))
    member(renewed, Category.HIGH_TECH, D(2027, 2, 1), certificate_number="GR202733000009")
    member(later, Category.HIGH_TECH, D(2025, 1, 1))  # through 2027-12-31
    assert [m.enterprise_id for m in selectors.expiring_certificates(today, user=everyone)] == [soon.pk]

    left, back = EnterpriseFactory(), EnterpriseFactory()
    member(left, Category.FOREIGN, D(2019, 1, 1), ended_on=D(2026, 3, 31))
    member(back, Category.FOREIGN, D(2019, 1, 1), ended_on=D(2026, 2, 28))
    member(back, Category.FOREIGN, D(2026, 6, 1))
    member(EnterpriseFactory(), Category.FOREIGN, D(2019, 1, 1), ended_on=D(2025, 12, 31))  # last year
    assert [m.enterprise_id for m in selectors.left_this_year(today, user=everyone)] == [left.pk]


# -- the category-list import -----------------------------------------------------

LIST_HEADERS = ["统一社会信用代码", "企业名称", "营业收入（万元）"]


def list_file(rows):
    return SafeXLSX().create_dataset(xlsx_bytes(LIST_HEADERS, rows))


def test_list_import_diff_and_all_or_nothing(staff_user):
    staying, leaving, entering = EnterpriseFactory(), EnterpriseFactory(), EnterpriseFactory()
    member(staying, Category.ABOVE_SIZE, D(2025, 1, 1))
    member(leaving, Category.ABOVE_SIZE, D(2025, 1, 1))
    resource_args = {"user": staff_user, "category": Category.ABOVE_SIZE, "year": 2025}

    bad = list_file(
        [
            [staying.credit_code, staying.name, "2500"],
            [entering.credit_code, entering.name, "2100"],
            ["91330483MA2XXXXXXX", "不存在的公司", "3000"],
            [entering.credit_code[:17], "十七位", "3000"],
        ]
    )
    result = CategoryListResource(**resource_args).import_data(bad, dry_run=False)
    messages = errors_of(result)
    assert any(m.startswith("第 4 行「统一社会信用代码」列：找不到") for m in messages)
    assert any(m.startswith("第 5 行「统一社会信用代码」列：") for m in messages)
    assert Membership.objects.filter(started_on=D(2026, 1, 1)).count() == 0
    assert Membership.objects.get(enterprise=leaving).ended_on is None

    below = list_file([[entering.credit_code, entering.name, "1999"]])
    (message,) = errors_of(CategoryListResource(**resource_args).import_data(below, dry_run=True))
    assert message.startswith("第 2 行「营业收入（万元）」列：1999 万元低于规上企业标准 2000 万元")

    good = list_file(
        [[staying.credit_code, staying.name, "2600"], [entering.credit_code, entering.name, "2100"]]
    )
    preview = CategoryListResource(**resource_args).import_data(good, dry_run=True)
    change = preview.list_change
    assert [m.enterprise_id for m in change.entering] == [entering.pk]
    assert [m.enterprise_id for m in change.staying] == [staying.pk]
    assert [m.enterprise_id for m in change.leaving] == [leaving.pk]
    assert Membership.objects.count() == 2  # a preview writes nothing

    CategoryListResource(**resource_args).import_data(good, dry_run=False)
    assert Membership.objects.get(enterprise=leaving).ended_on == D(2025, 12, 31)
    assert Membership.objects.get(enterprise=entering).started_on == D(2026, 1, 1)
    assert Membership.objects.get(enterprise=staying).revenue == 2600
    statistics = RevenueFigure.objects.filter(year=2025, source=RevenueSource.STATISTICS)
    assert sorted(statistics.values_list("revenue", flat=True)) == [2100, 2600]
    assert Membership.history.filter(enterprise_id=leaving.pk).count() == 2  # created, then ended


def test_an_empty_list_is_refused_rather_than_ending_every_membership(staff_user):
    member(EnterpriseFactory(), Category.FOREIGN, D(2020, 1, 1))
    empty = SafeXLSX().create_dataset(
        xlsx_bytes(["统一社会信用代码", "外资批准（备案）文号"], [[None, None]])
    )
    result = CategoryListResource(user=staff_user, category=Category.FOREIGN, year=2025).import_data(empty)
    assert "名单没有数据行" in errors_of(result)[0]
    assert Membership.objects.get().ended_on is None


def test_admin_preview_names_leavers_and_confirm_applies_the_list(client, staff_user):
    staff_user.is_staff = True
    staff_user.save()
    client.force_login(staff_user)
    stays, goes, comes = EnterpriseFactory(), EnterpriseFactory(name="退出的企业"), EnterpriseFactory()
    member(stays, Category.HIGH_TECH, D(2024, 6, 1), certificate_number="GR202433000001")
    member(goes, Category.HIGH_TECH, D(2024, 6, 1), certificate_number="GR202433000002")
    headers = ["统一社会信用代码", "高新证书编号", "发证日期"]
    upload = io.BytesIO(
        xlsx_bytes(
            headers,
            [
                [stays.credit_code, "GR202433000001", "2024-06-01"],
                [comes.credit_code, "GR202633000003", "2026年1月5日"],
            ],
        )
    )
    upload.name = "高新名单.xlsx"
    url = reverse("admin:multiplication_membership_import")
    form = {"category": "high_tech", "year": "2025", "effective_on": "2026-01-05", "format": "0"}
    response = client.post(url, {**form, "import_file": upload})
    page = response.content.decode()
    assert "纳入 1 家；保留 1 家（其中证据更新 0 家）；退出 1 家。" in page
    assert "退出的企业" in page
    confirm = response.context["confirm_form"]
    response = client.post(reverse("admin:multiplication_membership_process_import"), confirm.initial)
    assert response.status_code == 302
    assert Membership.objects.get(enterprise=goes).ended_on == D(2026, 1, 4)
    new = Membership.objects.get(enterprise=comes)
    assert (new.started_on, new.certificate_expires_on, new.ended_on) == (
        D(2026, 1, 5),
        D(2029, 1, 4),
        D(2029, 1, 4),
    )


def test_admin_derivation_previews_then_applies(client, staff_user):
    staff_user.is_staff = True
    staff_user.save()
    client.force_login(staff_user)
    enterprise = EnterpriseFactory(name="达标企业")
    services.record_revenue(enterprise.pk, 2025, Decimal("2000"), RevenueSource.VISIT)
    url = reverse("admin:multiplication_membership_derive")
    data = {"category": "above_size", "year": "2025", "effective_on": ""}
    response = client.post(url, data)
    assert "纳入 1 家" in response.content.decode() and "达标企业" in response.content.decode()
    assert not Membership.objects.exists()
    response = client.post(url, {**data, "confirm": "1"})
    assert response.status_code == 302
    assert Membership.objects.get().revenue_source == "visit"


# -- who may edit plans ------------------------------------------------------------


def test_a_department_officer_edits_only_the_plans_their_unit_owns(client, science_bureau):
    commerce = UnitFactory(name="市商务局")
    CategoryRemit.objects.create(unit=commerce, category=Category.FOREIGN)
    own = make_plan(science_bureau)
    other = make_plan(commerce, category=Category.FOREIGN, title="外资企业倍增计划")
    officer = user_with_role("unit_officer", cadre=CadreFactory(unit=science_bureau))
    client.force_login(officer)

    assert client.get(reverse("admin:multiplication_doublingplan_change", args=[own.pk])).status_code == 200
    response = client.post(
        reverse("admin:multiplication_doublingplan_change", args=[other.pk]),
        {"title": "改别人的计划", "category": "foreign", "owner": commerce.pk},
    )
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.title == "外资企业倍增计划"

    add = client.get(reverse("admin:multiplication_doublingplan_add"))
    assert list(add.context["adminform"].form.fields["owner"].queryset) == [science_bureau]
    listing = client.get(reverse("admin:multiplication_doublingplan_changelist"))
    assert "批准所选计划" not in listing.content.decode()  # approving is the office's call


# -- pages --------------------------------------------------------------------------


def test_pages_for_leaders_with_bounded_queries(client, django_assert_max_num_queries, science_bureau):
    leader = user_with_role("leader")
    client.force_login(leader)
    for n in range(30):
        enterprise = EnterpriseFactory()
        PairingFactory(enterprise=enterprise)
        member(enterprise, Category.HIGH_TECH, D(2025, 1, 1), certificate_number=f"GR{n}")
        services.record_revenue(enterprise.pk, 2025, Decimal("1600") + n, RevenueSource.STATISTICS)
    make_plan(science_bureau)

    with django_assert_max_num_queries(14):
        response = client.get(reverse("multiplication:overview"))
    assert response.status_code == 200 and "高新技术企业倍增计划" in response.content.decode()
    with django_assert_max_num_queries(14):
        response = client.get(reverse("multiplication:members", args=["high_tech"]))
    assert "共 30 家" in response.content.decode()
    with django_assert_max_num_queries(20):
        response = client.get(reverse("multiplication:pipeline"))
    assert "规上企业培育对象" in response.content.decode()
    response = client.get(reverse("multiplication:members_xlsx", args=["high_tech"]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(reverse("multiplication:members", args=["nonsense"])).status_code == 404
    response = client.get(reverse("multiplication:overview"), {"date": "2026-13-01"})
    assert "不是有效日期" in response.content.decode()


def test_an_officer_sees_only_his_units_contacts_beside_the_members(client, science_bureau):
    """R12: the enterprises are the shared register, the cadres beside them
    only those of the officer's own unit (pipeline, database, export)."""
    commerce = UnitFactory(name="市商务局")
    enterprise = EnterpriseFactory(name="双联企业")
    PairingFactory(enterprise=enterprise, cadre=CadreFactory(unit=science_bureau, name="本局干部"))
    PairingFactory(enterprise=enterprise, cadre=CadreFactory(unit=commerce, name="商务局干部"))
    member(enterprise, Category.HIGH_TECH, D(2025, 1, 1))
    services.record_revenue(enterprise.pk, 2025, Decimal("1900"), RevenueSource.STATISTICS)
    officer = user_with_role("unit_officer", cadre=CadreFactory(unit=science_bureau), username="officer")
    client.force_login(officer)
    for url in (
        reverse("multiplication:members", args=["high_tech"]),
        reverse("multiplication:pipeline") + "?year=2025",
    ):
        page = client.get(url).content.decode()
        assert "双联企业" in page and "本局干部" in page and "商务局干部" not in page, url
    book = load_workbook(
        io.BytesIO(client.get(reverse("multiplication:members_xlsx", args=["high_tech"])).content)
    )
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("本局干部" in c for c in cells) and not any("商务局干部" in c for c in cells)
    client.force_login(user_with_role("leader", username="leader"))
    assert "商务局干部" in client.get(reverse("multiplication:members", args=["high_tech"])).content.decode()


def test_a_cadre_does_not_see_the_registry(client):
    cadre_user = user_with_role("cadre", cadre=CadreFactory())
    client.force_login(cadre_user)
    assert client.get(reverse("multiplication:overview")).status_code == 403


def test_the_quarterly_report_carries_the_registry_figures(science_bureau, staff_user):
    """R16/R17: the report's six-doubling sheet uses the same counts and
    progress as the pages."""
    from jobs import report
    from visits.quarters import Quarter

    for started in (D(2024, 1, 1), D(2024, 1, 1), D(2026, 8, 1)):
        member(EnterpriseFactory(), Category.HIGH_TECH, started)
    plan = make_plan(science_bureau, target_count=6, target_date=D(2027, 12, 31))
    services.approve_plan(plan, staff_user)

    sheet = report.build_workbook(Quarter(2026, 3))["六大倍增"]
    rows = {r[0]: r[1:] for r in sheet.iter_rows(min_row=3, values_only=True)}
    # 2 at the end of 2026Q2, 3 at the end of 2026Q3; baseline 2, target 6:
    # 25% of the way; 3 to go over 2026Q3..2027Q4 (6 quarters) → 1 a quarter.
    assert rows["高新技术企业"] == (2, 3, 1, "高新技术企业倍增计划", "市科技局", 2, 6, 0.25, 1)
    assert rows["上市企业"][:3] == (0, 0, 0)


@pytest.mark.parametrize(
    "changelist",
    [
        "admin:multiplication_membership_changelist",
        "admin:multiplication_revenuefigure_changelist",
        "admin:multiplication_doublingplan_changelist",
        "admin:multiplication_categoryremit_changelist",
    ],
)
def test_registry_changelists_cost_the_same_queries_at_any_size(
    client, staff_user, science_bureau, changelist, django_assert_max_num_queries
):
    staff_user.is_staff = True
    staff_user.save()
    client.force_login(staff_user)

    def populate(count, offset):
        for n in range(count):
            enterprise = EnterpriseFactory()
            member(enterprise, Category.HIGH_TECH, D(2020, 1, 1))
            services.record_revenue(enterprise.pk, 2025, Decimal("100"), RevenueSource.STATISTICS)
            unit = UnitFactory(name=f"市部门{offset + n}")
            CategoryRemit.objects.create(unit=unit, category=Category.FOREIGN)
            make_plan(unit, category=Category.FOREIGN, title=f"计划{offset + n}")

    populate(2, 0)
    with django_assert_max_num_queries(14):
        assert client.get(reverse(changelist)).status_code == 200
    populate(20, 100)
    with django_assert_max_num_queries(14):
        assert client.get(reverse(changelist)).status_code == 200


def test_the_import_and_derivation_pages_render(client, staff_user):
    staff_user.is_staff = True
    staff_user.save()
    client.force_login(staff_user)
    page = client.get(reverse("admin:multiplication_membership_import")).content.decode()
    assert "统计年度" in page and "生效日期" in page and "分类名单导入" in page
    page = client.get(reverse("admin:multiplication_membership_derive")).content.decode()
    assert "由营业收入认定规上、亿元企业" in page
    page = client.get(reverse("admin:multiplication_membership_changelist")).content.decode()
    assert "由营业收入认定" in page


def test_an_officer_writes_a_plan_and_the_office_approves_it(client, science_bureau, staff_user):
    officer = user_with_role("unit_officer", cadre=CadreFactory(unit=science_bureau))
    member(EnterpriseFactory(), Category.HIGH_TECH, D(2024, 6, 1))
    client.force_login(officer)
    inline = {
        "town_targets-TOTAL_FORMS": "0",
        "town_targets-INITIAL_FORMS": "0",
        "town_targets-MIN_NUM_FORMS": "0",
        "town_targets-MAX_NUM_FORMS": "1000",
    }
    response = client.post(
        reverse("admin:multiplication_doublingplan_add"),
        {
            "title": "高新企业三年倍增",
            "category": "high_tech",
            "owner": science_bureau.pk,
            "baseline_date": "2024-12-31",
            "target_date": "2027-12-31",
            "measures": "高企培育库",
            **inline,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = DoublingPlan.objects.get()
    assert (plan.status, plan.baseline_count) == ("draft", None)

    staff_user.is_staff = True
    staff_user.save()
    client.force_login(staff_user)
    client.post(
        reverse("admin:multiplication_doublingplan_changelist"),
        {"action": "approve", "_selected_action": [plan.pk]},
    )
    plan.refresh_from_db()
    assert (plan.status, plan.baseline_count, plan.target_count) == ("approved", 1, 2)
