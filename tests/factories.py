"""factory_boy factories: test data made in the test that needs it, one per
model of our apps (tests/test_factories.py holds them to it).

Rows are made the way the product makes them: a feedback form through
``visits.services``, an issue-list item with the creation line of its
timeline and walked along the escalation path by ``issues.workflow``, every
slip through ``issues.services``, the dashboards' cells by counting, a
reminder by claiming it. A factory never writes a row the product could not."""

import datetime
import decimal
import itertools

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from cadres import services as cadre_services
from cadres.demo import demo_credit_code
from cadres.models import (
    AreaAssignment,
    Cadre,
    CoordinatorRegion,
    Correction,
    FrozenCell,
    Pairing,
    QuarterClose,
    QuarterCloseEvent,
    ServiceItem,
    Unit,
    UnitAlias,
    UnitMembership,
)
from cadres.permissions import GROUP_NAMES, Role
from cadres.term import term_end
from coordination import services as coordination_services
from coordination.models import GoodPractice, Meeting, MeetingItem
from dashboards import closing as closing_counts
from dashboards import figures
from dashboards.models import CadreCell, FigureBuild, FigureCell, QuarterChange
from enterprises import models as enterprise_models
from enterprises import signin
from issues import models as issue_models
from issues import services as issue_services
from issues import spotchecks, workflow
from jobs import delivery, queue, report, sms
from jobs import models as job_models
from jobs import services as job_services
from multiplication import services as multiplication_services
from multiplication.models import (
    CategoryRemit,
    DoublingPlan,
    Membership,
    PlanTownTarget,
    RevenueFigure,
    RevenueSource,
)
from multiplication.rules import Category
from tabular import services as tabular_services
from tabular.models import ColumnMapping
from tongxiang_liaison import actions
from visits import services as visit_services
from visits.models import ProblemCategory, ProblemRemit, Visit, VisitCredit, VisitMode, VisitProblem
from visits.quarters import Quarter

_mobiles = itertools.count(13800000000)


def _validated(instance):
    """Saved after the model's validation, as the admin's form saves it."""
    instance.full_clean()
    instance.save()
    return instance


class _NamedFactory(factory.django.DjangoModelFactory):
    """A row known by its unique name (a place, a unit, another name the
    office writes for one): the same name again gives the same row."""

    class Meta:
        abstract = True
        django_get_or_create = ("name",)


def _alias_factory(model, prefix, **owner):
    """The factory of another name the office writes for a place or a unit
    (staff enter these in the admin): ``owner`` is the field of the row it
    names and that row's factory (``place=PlaceFactory``); ``prefix`` starts
    each made-up name."""
    ((field, owner_factory),) = owner.items()
    return factory.make_factory(
        model,
        FACTORY_CLASS=_NamedFactory,
        name=factory.Sequence(lambda n: f"{prefix}{n}"),
        **{field: factory.SubFactory(owner_factory)},
    )


class PlaceFactory(_NamedFactory):
    class Meta:
        model = enterprise_models.Place

    name = factory.Iterator(["濮院镇", "乌镇镇", "崇福镇", "梧桐街道", "洲泉镇", "屠甸镇"])
    kind = enterprise_models.Place.Kind.TOWN


PlaceAliasFactory = _alias_factory(enterprise_models.PlaceAlias, "别名", place=PlaceFactory)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = enterprise_models.Enterprise

    name = factory.Sequence(lambda n: f"桐乡市测试{n}纺织有限公司")
    credit_code = factory.Sequence(lambda n: demo_credit_code(10_000_000 + n))
    place = factory.SubFactory(PlaceFactory)
    industry = "纺织"


class EnterpriseContactFactory(factory.django.DjangoModelFactory):
    """A person who signs in for an enterprise with a code sent to the mobile (issue 17)."""

    class Meta:
        model = enterprise_models.EnterpriseContact

    enterprise = factory.SubFactory(EnterpriseFactory)
    name = factory.Sequence(lambda n: f"企业联系人{n}")
    role = "办公室主任"
    mobile = factory.Sequence(lambda n: f"135{n:08d}")


class SignInCodeFactory(factory.django.DjangoModelFactory):
    """A code sent to a mobile; ``code`` (not stored) is the plain code, hashed."""

    class Meta:
        model = enterprise_models.SignInCode
        exclude = ["code"]

    mobile = factory.Sequence(lambda n: f"136{n:08d}")
    code = "123456"
    code_hash = factory.LazyAttribute(lambda o: signin.hash_code(o.mobile, o.code))
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(minutes=5))
    address = "127.0.0.1"


class SignInLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = enterprise_models.SignInLog

    mobile = factory.Sequence(lambda n: f"136{n:08d}")
    address = "127.0.0.1"
    outcome = enterprise_models.SignInLog.Outcome.CODE_SENT


class ContactSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = enterprise_models.ContactSession

    key_hash = factory.Sequence(lambda n: signin.hash_key(f"key-{n}"))
    contact = factory.SubFactory(EnterpriseContactFactory)
    last_seen = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(minutes=30))


class UnitFactory(_NamedFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"市测试局{n}")
    kind = Unit.Kind.DEPARTMENT


UnitAliasFactory = _alias_factory(UnitAlias, "测试局别名", unit=UnitFactory)


class ColumnMappingFactory(factory.django.DjangoModelFactory):
    """A header staff mapped on an import's preview, through the service the
    mapping step calls."""

    class Meta:
        model = ColumnMapping

    kind = "enterprises.enterprise"
    header = factory.Sequence(lambda n: f"对接人{n}")
    column = "企业联系人"

    @classmethod
    def _create(cls, model_class, kind, header, column):
        tabular_services.remember_columns(kind, {header: column}, allowed={column} - {""})
        return model_class.objects.get(kind=kind, header=header)


class TownUnitFactory(UnitFactory):
    kind = Unit.Kind.TOWN
    place = factory.SubFactory(PlaceFactory)
    name = factory.LazyAttribute(lambda o: f"{o.place.name}人民政府")


class CadreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cadre

    name = factory.Sequence(lambda n: f"干部{n}")
    unit = factory.SubFactory(UnitFactory)
    rank = Cadre.Rank.MIDDLE
    mobile = factory.LazyFunction(lambda: str(next(_mobiles)))


class CityLeaderFactory(CadreFactory):
    rank = Cadre.Rank.CITY_LEADER
    unit = factory.SubFactory(UnitFactory, name="市政府", kind=Unit.Kind.LEADERSHIP)


class PairingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pairing

    cadre = factory.SubFactory(CadreFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    kind = Pairing.Kind.DEPARTMENT
    start_date = datetime.date(2026, 3, 27)
    end_date = factory.LazyAttribute(lambda o: term_end(o.start_date))


class AreaAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AreaAssignment

    cadre = factory.SubFactory(CityLeaderFactory)
    place = factory.SubFactory(PlaceFactory)


class ServiceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceItem

    unit = factory.SubFactory(UnitFactory)
    title = factory.Sequence(lambda n: f"服务事项{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-only")


def user_with_role(role, *, cadre=None, staff=None, username=None, email=""):
    """A login in the role's group, linked to ``cadre`` when given."""
    from cadres.permissions import ADMIN_ROLES

    user = UserFactory(username=username) if username else UserFactory()
    user.is_staff = role in ADMIN_ROLES if staff is None else staff
    user.email = email or user.email
    user.save()
    user.groups.add(Group.objects.get(name=GROUP_NAMES[Role(role)]))
    if cadre is not None:
        cadre.user = user
        cadre.save(update_fields=["user"])
    return user


def information_officer(unit, *, name="信息员", username="officer", email=""):
    """The login of ``unit``'s information officer (单位信息员), a cadre of the unit."""
    cadre = CadreFactory(unit=unit, name=name)
    unit.information_officer = cadre
    unit.save()
    return user_with_role("unit_officer", cadre=cadre, username=username, email=email)


def unit_with_officer(name="市经信局", *, username="officer", email="officer@tx.gov.cn"):
    """A unit and its information officer (R12), whose login has ``email``.
    Returns (unit, the officer's login)."""
    unit = UnitFactory(name=name)
    return unit, information_officer(unit, username=username, email=email)


# -- the office's login --------------------------------------------------------


def office_login():
    """The liaison office's login that takes the office's steps in factories
    (moves, slips) when the test does not name one: a liaison-staff user, as
    the admin's move and refer buttons require."""
    return user_with_role("liaison_staff", username="lianluoban")


# -- visits --------------------------------------------------------------------


class _RemitFactory(factory.django.DjangoModelFactory):
    """A department's remit over a category (one row per unit and category)."""

    class Meta:
        abstract = True
        django_get_or_create = ("unit", "category")

    unit = factory.SubFactory(UnitFactory)


class ProblemRemitFactory(_RemitFactory):
    class Meta:
        model = ProblemRemit

    category = ProblemCategory.FUNDING


class VisitFactory(factory.django.DjangoModelFactory):
    """A feedback form saved the way the cadre's page saves it
    (:func:`visits.services.save_visit`), and submitted through the hand-over
    :func:`tongxiang_liaison.actions.submit_feedback` with ``submit=True`` (its
    problems then join the issue list, its 销售 the registry, as after a real
    submission).

    ``problems``: ``(category, description)`` pairs; ``companions``: cadres;
    ``by``: the submitting login (the cadre's own by default)."""

    class Meta:
        model = Visit

    pairing = factory.SubFactory(PairingFactory)
    visit_date = factory.LazyAttribute(lambda o: o.pairing.start_date)
    mode = VisitMode.ONSITE
    met_head = True
    situation = "订单饱满，生产正常。"
    problems = ()
    companions = ()
    submit = False
    by = None

    @classmethod
    def _create(cls, model_class, *args, problems=(), companions=(), submit=False, by=None, **kwargs):
        visit = visit_services.save_visit(
            model_class(*args, **kwargs), companions=list(companions), problems=list(problems), by=by
        )
        if submit:
            visit = actions.submit_feedback(visit, by=by).visit
        return visit


def submitted_visit(pairing, day, **fields):
    """A form filed and submitted for ``pairing`` on ``day``."""
    return VisitFactory(pairing=pairing, visit_date=day, submit=True, **fields)


class VisitProblemFactory(factory.django.DjangoModelFactory):
    """One more problem row on a draft form, through the form's own save
    (the rows already there are kept)."""

    class Meta:
        model = VisitProblem

    visit = factory.SubFactory(VisitFactory)
    category = ProblemCategory.LABOUR
    description = factory.Sequence(lambda n: f"一线操作工缺口{n}人")

    @classmethod
    def _create(cls, model_class, visit, category, description):
        rows = [(p.category, p.description) for p in visit.problems.all()]
        visit_services.save_visit(
            visit, companions=list(visit.companions.all()), problems=[*rows, (category, description)]
        )
        return visit.problems.order_by("pk").last()


class VisitCreditFactory(factory.django.DjangoModelFactory):
    """The filer's credit of a submitted on-site visit: credits are written
    only by :func:`visits.services.refresh_credits`."""

    class Meta:
        model = VisitCredit

    visit = factory.SubFactory(VisitFactory, submit=True)

    @classmethod
    def _create(cls, model_class, visit):
        return visit.credits.get(cadre_id=visit.cadre_id)


# -- the issue list -------------------------------------------------------------

S = issue_models.IssueItem.Status

# The moves that take a new item to a status along the escalation path (R13, R14).
PATHS = {
    S.NEW: (),
    S.CONTACT: (S.CONTACT,),
    S.UNIT: (S.CONTACT, S.UNIT),
    S.OFFICE: (S.CONTACT, S.UNIT, S.OFFICE),
    S.REFERRED: (S.CONTACT, S.UNIT, S.OFFICE, S.REFERRED),
    S.ESCALATED: (S.CONTACT, S.UNIT, S.OFFICE, S.ESCALATED),
    S.RESOLVED: (S.CONTACT, S.RESOLVED),
    S.UNSOLVABLE: (S.CONTACT, S.UNIT, S.OFFICE, S.REFERRED, S.UNSOLVABLE),
    S.WITHDRAWN: (S.WITHDRAWN,),
}


class IssueItemFactory(factory.django.DjangoModelFactory):
    """An issue-list item as a submitted form leaves it (the timeline's first
    line names the reporting cadre, :func:`issues.workflow.record_creation`,
    as ``issues.demo`` writes them), then walked to ``status`` along the
    escalation path by the office (``by``, :func:`office_login` by default):
    every move through :func:`issues.workflow.move`, a 交办单 or 呈报单 through
    :mod:`issues.services`. ``resolved_on`` is the day of the closing move (a
    resolved item's resolution, a withdrawal, an unsolvable verdict);
    ``closing_reason`` the reason of a withdrawn or unsolvable one.
    The walk's events are marked told (``handed_off``), as the demo marks its
    past records: a test's own steps are what the hand-off job tells."""

    class Meta:
        model = issue_models.IssueItem

    enterprise = factory.SubFactory(EnterpriseFactory)
    reporter = factory.SubFactory(CadreFactory)
    category = ProblemCategory.FUNDING
    source = issue_models.IssueItem.Source.VISIT
    description = factory.Sequence(lambda n: f"流动资金缺口{n}")
    status = S.NEW
    resolved_on = None
    closing_reason = ""
    by = None
    handed_off = True

    @classmethod
    def _create(
        cls, model_class, *args, status=S.NEW, resolved_on=None, closing_reason="", by=None, handed_off=True,
        **kwargs,
    ):  # fmt: skip
        item = model_class.objects.create(*args, **kwargs)
        workflow.record_creation(item, by=getattr(item.reporter, "user", None), cadre=item.reporter,
                                 comment="走访反馈表提交")  # fmt: skip
        path = PATHS[S(status)]
        if path:
            by = by or office_login()
        for step in path:
            if step == S.REFERRED:
                item = issue_services.refer(item, department=DepartmentFactory(), by=by).item
            elif step == S.ESCALATED:
                leader, departments = CityLeaderFactory(), [DepartmentFactory(), DepartmentFactory()]
                item = issue_services.escalate(item, leader=leader, departments=departments, by=by).item
            else:
                item = workflow.move(
                    item, step, by=by, comment="办理", on=resolved_on,
                    reason=closing_reason or "企业已另行解决", enterprise_confirmed=step == S.WITHDRAWN,
                )  # fmt: skip
        if handed_off:
            issue_services.mark_handed_off(item.events.all())
        return item


DepartmentFactory = UnitFactory  # a 涉企部门: the kind slips are referred to


def office_item(**kwargs):
    """An item the liaison office has taken on (联络办受理): ready to be referred or escalated."""
    return IssueItemFactory(status=S.OFFICE, **kwargs)


class ConfirmationFactory(factory.django.DjangoModelFactory):
    """The enterprise asked about a resolution (issue 17.5), as the move to
    已解决 asks it (:func:`issues.confirmations.ask`): pending, or with
    ``verdict`` given through :func:`issues.services.confirm` (``comment``
    required for 不满意) by ``contact``, a contact of the item's enterprise."""

    class Meta:
        model = issue_models.Confirmation

    item = factory.SubFactory(IssueItemFactory, status=S.RESOLVED)
    verdict = ""
    comment = ""
    contact = None

    @classmethod
    def _create(cls, model_class, item, verdict="", comment="", contact=None):
        pending = item.confirmations.get(verdict="")
        if verdict:
            issue_services.confirm(pending, verdict=verdict, comment=comment, contact=contact)
            pending.refresh_from_db()
        return pending


class IssueEventFactory(factory.django.DjangoModelFactory):
    """A line of an item's timeline: a move by the office (``to_status``,
    联系人办理 by default) through :func:`issues.workflow.move`."""

    class Meta:
        model = issue_models.IssueEvent

    item = factory.SubFactory(IssueItemFactory)
    to_status = S.CONTACT
    comment = "请联系人先办"
    by = factory.LazyFunction(office_login)

    @classmethod
    def _create(cls, model_class, item, to_status, comment, by):
        item = workflow.move(item, to_status, by=by, comment=comment)
        return item.events.order_by("pk").last()


class CalendarDayFactory(factory.django.DjangoModelFactory):
    """A holiday entered by staff (far in the future, not to move the
    working days of other tests)."""

    class Meta:
        model = issue_models.CalendarDay
        django_get_or_create = ("day",)

    day = factory.Sequence(lambda n: datetime.date(2099, 1, 1) + datetime.timedelta(days=n))
    is_workday = False
    note = "测试假日"


class HolidayYearFactory(factory.django.DjangoModelFactory):
    """A year's notice entered by staff, with its Spring Festival days, as
    the admin saves it: the year, its days, then the open slips' deadlines
    counted again (:func:`issues.services.holidays_changed`). Far in the
    future by default, not to move the working days of other tests."""

    class Meta:
        model = issue_models.HolidayYear

    year = factory.Sequence(lambda n: 2090 + n % 9)
    notice = "国办发明电〔2026〕7号"
    entered_by = factory.LazyFunction(office_login)
    days = ()  # (date, is_workday, note)

    @classmethod
    def _create(cls, model_class, *args, days=(), **kwargs):
        entered = model_class.objects.get_or_create(year=kwargs.pop("year"), defaults=kwargs)[0]
        for day, is_workday, note in days:
            issue_models.CalendarDay.objects.update_or_create(
                day=day, defaults={"is_workday": is_workday, "note": note, "calendar": entered}
            )
        issue_services.holidays_changed([entered.year], by=entered.entered_by)
        return entered


class SerialCounterFactory(factory.django.DjangoModelFactory):
    """A counter as :func:`issues.services.next_serial` leaves it after
    numbering one slip of ``kind`` in ``year``."""

    class Meta:
        model = issue_models.SerialCounter

    kind = "交"
    year = factory.Sequence(lambda n: 2090 + n % 9)

    @classmethod
    def _create(cls, model_class, kind, year):
        with transaction.atomic():
            issue_services.next_serial(kind, year)
        return model_class.objects.get(kind=kind, year=year)


class ReferralSlipFactory(factory.django.DjangoModelFactory):
    """A 交办单 issued by :func:`issues.services.refer` on an item the office
    took on, then taken to ``status`` by the services: answered by the
    department, accepted or sent back by the office."""

    class Meta:
        model = issue_models.ReferralSlip

    item = factory.SubFactory(IssueItemFactory, status=S.OFFICE)
    department = factory.SubFactory(DepartmentFactory)
    by = factory.LazyFunction(office_login)
    working_days = None
    requirement = ""
    issued_on = None
    status = issue_models.ReferralSlip.Status.ISSUED

    @classmethod
    def _create(cls, model_class, item, department, by, working_days, requirement, issued_on, status):
        slip = issue_services.refer(
            item,
            department=department,
            by=by,
            working_days=working_days,
            requirement=requirement,
            on=issued_on,
        )
        if status != issue_models.ReferralSlip.Status.ISSUED:
            issue_services.answer(slip, measures="约谈合作银行", result="已续贷", by=by)
        if status == issue_models.ReferralSlip.Status.ACCEPTED:
            issue_services.accept(slip, by=by)
        elif status == issue_models.ReferralSlip.Status.RETURNED:
            issue_services.send_back(slip, by=by, reason="未实际解决")
        slip.refresh_from_db()
        return slip


class ExtensionRequestFactory(factory.django.DjangoModelFactory):
    """A department's request for more time, through :func:`issues.services.request_extension`."""

    class Meta:
        model = issue_models.ExtensionRequest

    slip = factory.SubFactory(ReferralSlipFactory)
    reason = "需省厅批复"
    extra_working_days = 5
    requested_by = factory.LazyFunction(office_login)

    @classmethod
    def _create(cls, model_class, slip, reason, extra_working_days, requested_by):
        return issue_services.request_extension(
            slip, reason=reason, extra_working_days=extra_working_days, by=requested_by
        )


class EscalationSlipFactory(factory.django.DjangoModelFactory):
    """A 呈报单 to a city leader through :func:`issues.services.escalate`."""

    class Meta:
        model = issue_models.EscalationSlip

    item = factory.SubFactory(IssueItemFactory, status=S.OFFICE)
    leader = factory.SubFactory(CityLeaderFactory)
    departments = factory.LazyFunction(lambda: [DepartmentFactory(), DepartmentFactory()])
    by = factory.LazyFunction(office_login)
    request = "涉及多个部门，请领导协调"

    @classmethod
    def _create(cls, model_class, item, leader, departments, by, request):
        return issue_services.escalate(item, leader=leader, departments=departments, by=by, request=request)


class SupervisionSlipFactory(factory.django.DjangoModelFactory):
    """A 督办单 on a referral slip past its deadline, through
    :func:`issues.services.supervise`, issued today."""

    class Meta:
        model = issue_models.SupervisionSlip

    referral = factory.SubFactory(
        ReferralSlipFactory,
        issued_on=factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(60)),
    )
    by = factory.LazyFunction(office_login)
    note = "请抓紧办理"

    @classmethod
    def _create(cls, model_class, referral, by, note):
        return issue_services.supervise(referral, by=by, note=note)


class ProgressEntryFactory(factory.django.DjangoModelFactory):
    """A monthly progress note through :func:`issues.services.add_progress`."""

    class Meta:
        model = issue_models.ProgressEntry

    item = factory.SubFactory(IssueItemFactory, status=S.REFERRED)
    text = "银行已受理"
    by = factory.LazyFunction(office_login)
    month = None

    @classmethod
    def _create(cls, model_class, item, text, by, month):
        return issue_services.add_progress(item, text=text, by=by, month=month)


class SpotCheckBatchFactory(factory.django.DjangoModelFactory):
    """A round of spot checks drawn by :func:`issues.spotchecks.create_batch`
    for a quarter that has begun (this one by default)."""

    class Meta:
        model = issue_models.SpotCheckBatch

    quarter = factory.LazyFunction(lambda: Quarter.of(timezone.localdate()))
    sample_size = 5
    seed = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"第{n}批抽查")
    created_by = factory.LazyFunction(office_login)

    @classmethod
    def _create(cls, model_class, quarter, sample_size, seed, title, created_by):
        if isinstance(quarter, str):
            quarter = Quarter.parse(quarter)
        return spotchecks.create_batch(
            quarter=quarter, size=sample_size, seed=seed, title=title, by=created_by
        )


class SpotCheckFactory(factory.django.DjangoModelFactory):
    """The check of a pairing due this quarter, drawn into a batch by
    :func:`issues.spotchecks.create_batch` (the sample takes every due
    pairing, so it takes this one)."""

    class Meta:
        model = issue_models.SpotCheck

    pairing = factory.SubFactory(PairingFactory)
    created_by = factory.LazyFunction(office_login)

    @classmethod
    def _create(cls, model_class, pairing, created_by):
        quarter = Quarter.of(timezone.localdate())
        batch = spotchecks.create_batch(
            quarter=quarter, size=Pairing.objects.count(), seed=1, title="抽查", by=created_by
        )
        return batch.checks.get(cadre_id=pairing.cadre_id, enterprise_id=pairing.enterprise_id)


# -- the six-doubling registry ---------------------------------------------------


class RevenueFigureFactory(factory.django.DjangoModelFactory):
    """An annual revenue figure through :func:`multiplication.services.record_revenue`."""

    class Meta:
        model = RevenueFigure

    enterprise = factory.SubFactory(EnterpriseFactory)
    year = 2025
    revenue = decimal.Decimal("25000.00")
    source = RevenueSource.MANUAL

    @classmethod
    def _create(cls, model_class, enterprise, year, revenue, source):
        return multiplication_services.record_revenue(enterprise.pk, year, revenue, source)


class MembershipFactory(factory.django.DjangoModelFactory):
    """A period in a category with its evidence, through
    :func:`multiplication.services.save_membership` (validation, no overlap).
    The default is a 股份制 membership; give the evidence of another category."""

    class Meta:
        model = Membership

    enterprise = factory.SubFactory(EnterpriseFactory)
    category = Category.JOINT_STOCK
    started_on = datetime.date(2025, 1, 1)
    converted_on = factory.LazyAttribute(
        lambda o: o.started_on if o.category == Category.JOINT_STOCK else None
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return multiplication_services.save_membership(model_class(*args, **kwargs))


class CategoryRemitFactory(_RemitFactory):
    class Meta:
        model = CategoryRemit

    category = Category.HIGH_TECH


class DoublingPlanFactory(factory.django.DjangoModelFactory):
    """A department's plan for a category in its remit (the remit is given
    when missing), validated as the admin validates it; ``approve=True``
    approves it through :func:`multiplication.services.approve_plan`."""

    class Meta:
        model = DoublingPlan

    category = Category.HIGH_TECH
    owner = factory.SubFactory(DepartmentFactory)
    title = factory.Sequence(lambda n: f"高新技术企业倍增计划{n}")
    baseline_date = datetime.date(2025, 12, 31)
    target_date = datetime.date(2028, 12, 31)
    approve = False

    @classmethod
    def _create(cls, model_class, *args, approve=False, **kwargs):
        plan = model_class(*args, **kwargs)
        CategoryRemitFactory(unit=plan.owner, category=plan.category)
        _validated(plan)
        if approve:
            plan = multiplication_services.approve_plan(plan, office_login())
        return plan


class PlanTownTargetFactory(factory.django.DjangoModelFactory):
    """A town's share of a draft plan (its baseline is frozen on approval)."""

    class Meta:
        model = PlanTownTarget

    plan = factory.SubFactory(DoublingPlanFactory)
    place = factory.SubFactory(PlaceFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return _validated(model_class(*args, **kwargs))


# -- coordination ----------------------------------------------------------------


class CoordinatorRegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoordinatorRegion

    cadre = factory.SubFactory(CityLeaderFactory, is_coordinator=True)
    place = factory.SubFactory(PlaceFactory, name=factory.Sequence(lambda n: f"协调区测试镇{n}"))


class MeetingFactory(factory.django.DjangoModelFactory):
    """A situation-analysis meeting recorded through
    :func:`coordination.services.save_meeting` (held today by default)."""

    class Meta:
        model = Meeting

    coordinator = factory.LazyFunction(lambda: CoordinatorRegionFactory().cadre)
    held_on = factory.LazyFunction(timezone.localdate)
    topics = "四季度毛衫订单形势"
    places = ()
    attendees = ()
    items = ()
    by = factory.LazyFunction(office_login)

    @classmethod
    def _create(cls, model_class, *args, places=(), attendees=(), items=(), by=None, **kwargs):
        return coordination_services.save_meeting(
            model_class(*args, **kwargs), places=list(places), attendees=list(attendees), items=list(items),
            by=by,
        )  # fmt: skip


class MeetingItemFactory(factory.django.DjangoModelFactory):
    """An item a meeting discussed, put on it through :func:`coordination.services.save_meeting`."""

    class Meta:
        model = MeetingItem

    meeting = factory.SubFactory(MeetingFactory)
    item = factory.SubFactory(IssueItemFactory, status=S.OFFICE)

    @classmethod
    def _create(cls, model_class, meeting, item):
        items = [*meeting.items.all(), item]
        coordination_services.save_meeting(
            meeting, places=list(meeting.places.all()), attendees=list(meeting.attendees.all()), items=items,
            by=meeting.recorded_by,
        )  # fmt: skip
        return model_class.objects.get(meeting=meeting, item=item)


class GoodPracticeFactory(factory.django.DjangoModelFactory):
    """A good practice entered by the office (published today by default)."""

    class Meta:
        model = GoodPractice
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"毛衫企业用工互助{n}")
    summary = "镇里牵头组织企业间调剂用工。"
    body = "濮院镇组织毛衫企业在淡旺季之间互相调剂一线工人。"
    published_on = factory.LazyFunction(timezone.localdate)
    author = factory.LazyFunction(office_login)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return _validated(model_class(*args, **kwargs))


# -- the dashboards' counts ------------------------------------------------------


def _counted_quarter(pairing):
    """Count this quarter into cells (:func:`dashboards.figures.build`)
    after marking a change, as a write does (:func:`dashboards.figures.mark_changed`)."""
    quarter = Quarter.of(timezone.localdate())
    figures.mark_changed([quarter])
    figures.build(quarter)
    return quarter


class _CountedFactory(factory.django.DjangoModelFactory):
    """A row this quarter's count leaves for a due ``pairing``: the one of
    the quarter and of :meth:`cell_of` the pairing."""

    class Meta:
        abstract = True

    pairing = factory.SubFactory(PairingFactory)

    @classmethod
    def _create(cls, model_class, pairing):
        quarter = _counted_quarter(pairing)
        return model_class.objects.get(quarter=quarter.label, **cls.cell_of(pairing))

    @staticmethod
    def cell_of(pairing):
        return {}


class FigureBuildFactory(_CountedFactory):
    class Meta:
        model = FigureBuild


class QuarterChangeFactory(_CountedFactory):
    """The quarter's change mark, as a write and the count leave it."""

    class Meta:
        model = QuarterChange


class FigureCellFactory(_CountedFactory):
    """The cell of a due pairing's unit and town in this quarter's count."""

    class Meta:
        model = FigureCell

    @staticmethod
    def cell_of(pairing):
        return {"unit": pairing.cadre.unit, "place": pairing.enterprise.place, "category": ""}


class CadreCellFactory(_CountedFactory):
    """The cell of a due pairing's cadre and town in this quarter's count."""

    class Meta:
        model = CadreCell

    @staticmethod
    def cell_of(pairing):
        return {"cadre": pairing.cadre, "place": pairing.enterprise.place}


# -- dated units and closed quarters (issue 16) -----------------------------------


class UnitMembershipFactory(factory.django.DjangoModelFactory):
    """The membership a move writes (:func:`cadres.services.move_cadre`):
    the cadre's unit from ``on`` (today by default)."""

    class Meta:
        model = UnitMembership

    cadre = factory.SubFactory(CadreFactory)
    unit = factory.SubFactory(UnitFactory)
    on = None

    @classmethod
    def _create(cls, model_class, cadre, unit, on=None):
        cadre_services.move_cadre(cadre, unit=unit, on=on, reason="调动", by=office_login())
        return model_class.objects.get(cadre=cadre, valid_to__isnull=True)


def _closed_quarter(pairing):
    """Close the quarter before this one by staff (:func:`dashboards.closing.close`)
    with ``pairing`` due in it."""
    quarter = Quarter.of(timezone.localdate()).previous()
    closed = QuarterClose.objects.filter(quarter=quarter.label, status=QuarterClose.Status.CLOSED).first()
    return closed or closing_counts.close(quarter, by=office_login())  # once, however many cells ask


class _ClosedFactory(factory.django.DjangoModelFactory):
    """A row closing the last quarter leaves (:func:`_closed_quarter`) with a
    due ``pairing``: the one :meth:`of` the closed quarter gives."""

    class Meta:
        abstract = True

    pairing = factory.SubFactory(PairingFactory)

    @classmethod
    def _create(cls, model_class, pairing):
        return cls.of(_closed_quarter(pairing), pairing)


class QuarterCloseFactory(_ClosedFactory):
    """The last quarter, closed by staff."""

    class Meta:
        model = QuarterClose

    @staticmethod
    def of(closed, pairing):
        return closed


class QuarterCloseEventFactory(_ClosedFactory):
    """The timeline line of closing the last quarter."""

    class Meta:
        model = QuarterCloseEvent

    @staticmethod
    def of(closed, pairing):
        return closed.events.get()


class FrozenCellFactory(_ClosedFactory):
    """The frozen cell of a due pairing's unit and town, when the last quarter closed."""

    class Meta:
        model = FrozenCell

    @staticmethod
    def of(closed, pairing):
        cells = closed.cells.filter(
            cadre__isnull=True, unit=pairing.cadre.unit, place=pairing.enterprise.place
        )
        return cells.order_by("pk").first()  # one of them (a cell per problem category too)


class CorrectionFactory(_ClosedFactory):
    """A correction noted of the closed last quarter: its pairing's cadre
    moved to another unit from a day inside it (:func:`cadres.services.move_cadre`)."""

    class Meta:
        model = Correction

    @staticmethod
    def of(closed, pairing):
        cadre_services.move_cadre(
            pairing.cadre, unit=UnitFactory(), on=closed.last_day, reason="补记调动", by=office_login()
        )
        return closed.corrections.get()


# -- jobs ------------------------------------------------------------------------


class ReminderLogFactory(factory.django.DjangoModelFactory):
    """A message claimed by :func:`jobs.delivery.claim`; ``deliver=True``
    sends it (in-app only when it has no email) through :func:`jobs.delivery.deliver`."""

    class Meta:
        model = job_models.ReminderLog

    recipient = factory.SubFactory(UserFactory)
    kind = "visit"
    period = "2026Q4"
    stage = factory.Sequence(lambda n: f"stage{n}")
    subject = "【走访提醒】本季度尚有 1 家联系企业未走访"
    body = "请尽快走访。"
    link = ""
    email = ""
    deliver = False

    @classmethod
    def _create(cls, model_class, recipient, deliver=False, **fields):
        (pk,) = delivery.claim([delivery.Message(recipient_id=recipient.pk, **fields)])
        if deliver:
            delivery.deliver([pk])
        return model_class.objects.get(pk=pk)


class NoticeFactory(factory.django.DjangoModelFactory):
    """An in-app notice, left by delivering a claimed reminder."""

    class Meta:
        model = job_models.Notice

    reminder = factory.SubFactory(ReminderLogFactory)

    @classmethod
    def _create(cls, model_class, reminder):
        delivery.deliver([reminder.pk])
        return model_class.objects.get(reminder=reminder)


class QuarterlyReportFactory(factory.django.DjangoModelFactory):
    """A built report, through :func:`jobs.report.build_report` (the test's
    MEDIA_ROOT is a temporary directory)."""

    class Meta:
        model = job_models.QuarterlyReport

    quarter = factory.LazyFunction(lambda: Quarter.of(timezone.localdate()))
    built_by = factory.LazyFunction(office_login)

    @classmethod
    def _create(cls, model_class, quarter, built_by):
        if isinstance(quarter, str):
            quarter = Quarter.parse(quarter)
        return report.build_report(quarter, by_id=built_by.pk if built_by else None)


class PendingTaskFactory(factory.django.DjangoModelFactory):
    """A task the broker refused, kept by :func:`jobs.queue.keep`."""

    class Meta:
        model = job_models.PendingTask

    task = "jobs.build_quarterly_report"
    args = factory.Sequence(lambda n: [f"2026Q{n % 4 + 1}", n])
    kwargs = factory.LazyFunction(dict)
    error = "Error 111 connecting to 127.0.0.1:6379. Connection refused."

    @classmethod
    def _create(cls, model_class, task, args, kwargs, error):
        queue.keep(task, args, kwargs, error=error)
        return model_class.objects.filter(task=task).order_by("-pk").first()


class UnitRobotFactory(factory.django.DjangoModelFactory):
    """A unit's group robot, saved by :func:`jobs.services.save_robot` (as the
    admin saves it: the webhook and secret sealed). The webhook is a loopback
    address nobody listens on: a test that sends starts a receiver of its own
    (tests/receivers.py)."""

    class Meta:
        model = job_models.UnitRobot

    unit = factory.SubFactory(UnitFactory)
    name = factory.Sequence(lambda n: f"联企工作群{n}")
    channel = "dingtalk"
    webhook = "http://127.0.0.1:9/robot/send?access_token=factory-token"
    secret = "SECfactory"

    @classmethod
    def _create(cls, model_class, webhook, secret, **fields):
        return job_services.save_robot(model_class(**fields), webhook=webhook, secret=secret)


class ChannelPreferenceFactory(factory.django.DjangoModelFactory):
    """A person's chain of channels, set by :func:`jobs.services.set_channels`."""

    class Meta:
        model = job_models.ChannelPreference

    user = factory.SubFactory(UserFactory)
    channels = ("sms", "email")

    @classmethod
    def _create(cls, model_class, user, channels):
        return job_services.set_channels(user, list(channels))


class ChannelDeliveryFactory(factory.django.DjangoModelFactory):
    """A channel of a claimed reminder's chain, made by :func:`jobs.delivery.claim`
    from the recipient's address (an email here)."""

    class Meta:
        model = job_models.ChannelDelivery

    recipient = factory.SubFactory(UserFactory, email=factory.Sequence(lambda n: f"u{n}@tx.gov.cn"))
    stage = factory.Sequence(lambda n: f"stage{n}")

    @classmethod
    def _create(cls, model_class, recipient, stage):
        message = delivery.Message(
            recipient_id=recipient.pk,
            kind="visit",
            period="2026Q4",
            stage=stage,
            subject="【走访提醒】",
            body="请尽快走访。",
            email=recipient.email,
        )
        (pk,) = delivery.claim([message])
        return model_class.objects.get(reminder_id=pk)


class SmsLogFactory(factory.django.DjangoModelFactory):
    """A text through :func:`jobs.sms.send` (the tests' memory backend)."""

    class Meta:
        model = job_models.SmsLog

    mobile = factory.LazyFunction(lambda: str(next(_mobiles)))
    text = "【提醒】本季度尚有 1 家联系企业未走访。"
    purpose = "reminder"

    @classmethod
    def _create(cls, model_class, mobile, text, purpose):
        return sms.send(mobile, text, purpose=purpose).log


class ItemAttachmentFactory(factory.django.DjangoModelFactory):
    """A PNG an enterprise sent with its own request."""

    class Meta:
        model = issue_models.ItemAttachment

    item = factory.SubFactory(
        IssueItemFactory, source=issue_models.IssueItem.Source.ENTERPRISE, reporter=None
    )
    file = factory.django.FileField(filename="photo.png", data=b"\x89PNG\r\n\x1a\n" + b"0" * 32)
    original_name = "现场照片.png"
    content_type = "image/png"
    size = 40
    contact = factory.LazyAttribute(lambda o: EnterpriseContactFactory(enterprise=o.item.enterprise))
