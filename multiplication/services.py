"""Writes to the six-doubling registry (R17). The admin, the category-list
import, the revenue derivation, the visit-form hook and the demo all come
through here, so a membership period, a list change and a plan approval
follow one rule wherever they start.

A *category list* is the statistics bureau's 规上 list for a year, or any
list of a category's members, taking effect on a day. Applying it compares
the list with the members on that day: enterprises not yet members enter on
that day; members on the list stay (their evidence brought up to date);
members missing from the list leave, their period ending the day before.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from tabular.history import bulk_update_with_history, records_history_by

from . import access, selectors
from .models import (
    DoublingPlan,
    Membership,
    MembershipSource,
    RevenueFigure,
    RevenueSource,
)
from .rules import REVENUE_CATEGORIES, Category, qualifies

# Evidence a list may carry for its members; the period fields are the list's.
EVIDENCE_FIELDS = (
    "statistics_year",
    "revenue",
    "revenue_source",
    "approval_number",
    "approval_date",
    "certificate_number",
    "certificate_issued_on",
    "certificate_expires_on",
    "converted_on",
    "exchange",
    "stock_code",
    "listed_on",
    "note",
)
LIST_UPDATE_FIELDS = [*EVIDENCE_FIELDS, "ended_on", "end_reason", "updated_at"]


# -- single periods --------------------------------------------------------


def overlapping(membership):
    """Other periods of the same enterprise in the same category that share a
    day with ``membership`` (the rule PostgreSQL's exclusion constraint holds)."""
    others = Membership.objects.filter(
        enterprise_id=membership.enterprise_id, category=membership.category
    ).exclude(pk=membership.pk)
    if membership.ended_on is not None:
        others = others.filter(started_on__lte=membership.ended_on)
    return others.exclude(ended_on__lt=membership.started_on)


def overlap_problem(membership):
    """The message for a period that overlaps another, or None."""
    clash = overlapping(membership).order_by("started_on").first()
    if clash is None:
        return None
    return _("该企业在此期间已在“%(category)s”库中（%(start)s 起的记录）。") % {
        "category": membership.get_category_display(),
        "start": clash.started_on,
    }


def validate_membership(membership):
    """The model's own validation, then the no-overlap rule, as form errors."""
    membership.full_clean()
    problem = overlap_problem(membership)
    if problem:
        raise ValidationError({"started_on": problem})


@records_history_by()
def save_membership(membership, *, by=None):
    validate_membership(membership)
    membership.save()
    return membership


# -- revenue figures -------------------------------------------------------


def record_revenue(enterprise_id, year, revenue, source, visit=None):
    """Keep one figure per enterprise, year and source (the latest given)."""
    figure, _created = RevenueFigure.objects.update_or_create(
        enterprise_id=enterprise_id,
        year=year,
        source=source,
        defaults={"revenue": revenue, "visit": visit},
    )
    return figure


def record_visit_revenue(visit):
    """A submitted feedback form's 销售 becomes that year's visit-form figure
    for the enterprise, unless a later form of the same year already gave one."""
    if visit.sales is None:
        return None
    year = visit.visit_date.year
    existing = (
        RevenueFigure.objects.filter(enterprise_id=visit.enterprise_id, year=year, source=RevenueSource.VISIT)
        .select_related("visit")
        .first()
    )
    if existing is not None and existing.visit is not None and existing.visit.visit_date > visit.visit_date:
        return existing
    return record_revenue(visit.enterprise_id, year, visit.sales, RevenueSource.VISIT, visit=visit)


# -- category lists --------------------------------------------------------


@dataclass
class ListChange:
    """What applying a category list would do, worked out before writing."""

    category: str
    year: int | None
    effective_on: datetime.date
    source: str
    entering: list = field(default_factory=list)  # unsaved Membership rows
    staying: list = field(default_factory=list)  # open Membership rows, evidence set
    changed: list = field(default_factory=list)  # the staying rows whose evidence differs
    leaving: list = field(default_factory=list)  # open Membership rows not on the list
    figures: list = field(default_factory=list)  # statistics figures to keep

    @property
    def category_label(self):
        return Category(self.category).label

    @property
    def unchanged(self):
        return len(self.staying) - len(self.changed)


def default_effective_on(year):
    """A list for statistics year Y takes effect on 1 January of Y + 1, the
    first day its figures can be known; the form may say otherwise."""
    return datetime.date(year + 1, 1, 1)


def list_date_problem(category, effective_on):
    """Lists are applied in date order: one taking effect before a period
    that already began would rewrite history behind it."""
    later = (
        Membership.objects.filter(category=category, started_on__gt=effective_on)
        .order_by("-started_on")
        .values_list("started_on", flat=True)
        .first()
    )
    if later is None:
        return None
    return _(
        "“%(category)s”库中已有 %(later)s 纳入的记录，晚于本名单的生效日期 %(day)s："
        "请按时间顺序导入名单。 / The registry already has a period starting %(later)s, after"
        " this list's effective date %(day)s: apply lists in date order."
    ) % {"category": Category(category).label, "later": later, "day": effective_on}


def plan_list_change(category, effective_on, entries, *, year=None, source=MembershipSource.IMPORT):
    """Compare ``entries`` ({enterprise_id: evidence dict}) with the members
    on ``effective_on``. Writes nothing."""
    change = ListChange(category=category, year=year, effective_on=effective_on, source=source)
    members = {
        m.enterprise_id: m for m in selectors.members_on(category, effective_on).select_related("enterprise")
    }
    for enterprise_id, evidence in entries.items():
        member = members.get(enterprise_id)
        if member is None:
            entering = Membership(
                enterprise_id=enterprise_id, category=category, started_on=effective_on, source=source
            )
            _set_evidence(entering, evidence)
            change.entering.append(entering)
            continue
        before = {f: getattr(member, f) for f in LIST_UPDATE_FIELDS}
        _set_evidence(member, evidence)
        change.staying.append(member)
        if any(getattr(member, f) != before[f] for f in LIST_UPDATE_FIELDS):
            change.changed.append(member)
    change.leaving = [m for e, m in members.items() if e not in entries]
    change.leaving.sort(key=lambda m: m.enterprise_id)
    if category in REVENUE_CATEGORIES and source != MembershipSource.DERIVED and year is not None:
        change.figures = [
            RevenueFigure(enterprise_id=e, year=year, revenue=ev["revenue"], source=RevenueSource.STATISTICS)
            for e, ev in entries.items()
            if ev.get("revenue") is not None
        ]
    return change


def _set_evidence(membership, evidence):
    for name, value in evidence.items():
        if name in EVIDENCE_FIELDS:
            setattr(membership, name, value)
    if membership.category == Category.HIGH_TECH:
        # The period runs to the (possibly renewed) certificate's expiry.
        membership.ended_on = None
        membership.end_reason = ""
        if evidence.get("certificate_expires_on") is None:
            membership.certificate_expires_on = None
    membership.clean()


@transaction.atomic
@records_history_by("user")
def apply_list_change(change, user=None):
    """Write a planned list change, all of it or none of it."""
    problem = list_date_problem(change.category, change.effective_on)
    if problem:
        raise ValidationError(problem)
    reason = _("未列入 %(day)s 生效的名单") % {"day": change.effective_on}
    now = timezone.now()
    if change.entering:
        bulk_create_with_history(change.entering, Membership, batch_size=1000, default_user=user)
    for member in change.changed:
        member.updated_at = now
    if change.changed:
        bulk_update_with_history(
            change.changed, Membership, LIST_UPDATE_FIELDS, batch_size=1000, default_user=user
        )
    same_day = [m.pk for m in change.leaving if m.started_on >= change.effective_on]
    if same_day:
        # Entered by an earlier list of the same day: it never counted.
        Membership.objects.filter(pk__in=same_day).delete()
    ending = [m for m in change.leaving if m.started_on < change.effective_on]
    for member in ending:
        member.ended_on = change.effective_on - datetime.timedelta(days=1)
        member.end_reason = reason
        member.updated_at = now
    if ending:
        bulk_update_with_history(
            ending, Membership, ["ended_on", "end_reason", "updated_at"], batch_size=1000, default_user=user
        )
    if change.figures:
        RevenueFigure.objects.bulk_create(
            change.figures,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["enterprise", "year", "source"],
            update_fields=["revenue", "recorded_at"],
        )
    return change


def plan_derivation(category, year, effective_on=None):
    """规上 / 亿元 membership from a year's revenue figures (R17): every
    enterprise whose most trusted figure for ``year`` reaches the threshold
    (exactly the threshold counts), with the figure's source as evidence."""
    category = Category(category)
    if category not in REVENUE_CATEGORIES:
        raise ValueError(f"{category} is not derived from revenue")
    effective_on = effective_on or default_effective_on(year)
    entries = {
        figure.enterprise_id: {
            "statistics_year": year,
            "revenue": figure.revenue,
            "revenue_source": figure.source,
        }
        for figure in selectors.best_figures(year)
        if qualifies(category, figure.revenue)
    }
    return plan_list_change(category, effective_on, entries, year=year, source=MembershipSource.DERIVED)


# -- plans -----------------------------------------------------------------


@transaction.atomic
@records_history_by("user")
def approve_plan(plan, user):
    """Count the baseline on the baseline date, for the city and each town of
    the split, and freeze it (R17). Targets left empty become twice the
    baseline. Approving twice changes nothing."""
    plan = DoublingPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.is_approved:
        return plan
    by_place = selectors.counts_on(plan.baseline_date, by_place=True)
    plan.baseline_count = selectors.count_of(plan.category, plan.baseline_date)
    if plan.target_count is None:
        plan.target_count = 2 * plan.baseline_count
    for town in plan.town_targets.all():
        town.baseline_count = by_place.get((plan.category, town.place_id), 0)
        if town.target_count is None:
            town.target_count = 2 * town.baseline_count
        town.save(update_fields=["baseline_count", "target_count"])
    plan.status = DoublingPlan.Status.APPROVED
    plan.approved_at = timezone.now()
    plan.approved_by = user
    plan.save()
    return plan


@records_history_by("user")
@transaction.atomic
def delete_plans(plans, user):
    """Delete draft plans (and their town split) that ``user`` may delete;
    refuse the whole batch, deleting nothing, if any is approved or not the
    user's to delete (:func:`multiplication.access.can_delete_doubling_plan`)."""
    plans = list(DoublingPlan.objects.select_for_update().filter(pk__in=[plan.pk for plan in plans]))
    refused = [plan for plan in plans if not access.can_delete_doubling_plan(user, plan)]
    if refused:
        approved = [plan.title for plan in refused if plan.is_approved]
        others = [plan.title for plan in refused if not plan.is_approved]
        raise PermissionDenied(
            _("已批准的倍增计划不能删除：%(titles)s") % {"titles": "、".join(approved)}
            if approved
            else _("无权删除以下倍增计划：%(titles)s") % {"titles": "、".join(others)}
        )
    for plan in plans:
        plan.delete()
    return len(plans)
