"""Who may see and work the issue list and its slips (R12–R15, R18): the
access rules of the issues app's own rows, beside its views, built from the
scope of :mod:`cadres.permissions`. The actions of a slip ask these through
:mod:`issues.slip_workflow`, whose table names who may take each."""

from django.db.models import Q

from cadres import permissions
from cadres.permissions import Role


def visible_issue_items(user, queryset):
    """Issue-list items: all for staff, leaders and supervisors; for a unit's
    officer, those reported by its cadres and those referred to the unit (it
    handles them, R13); a cadre's own for the cadre."""
    scope = permissions.scope_for(user)
    if scope.is_officer and not scope.sees_all:
        mine = Q(reporter__unit_id=scope.unit_id) | Q(referrals__department_id=scope.unit_id)
        return queryset.filter(pk__in=queryset.model.objects.filter(mine).values("pk"))
    return permissions.scoped(user, queryset, unit="reporter__unit_id", cadre="reporter_id")


def visible_referral_slips(user, queryset):
    """Referral slips: all for staff, leaders and supervisors; a department's
    officer sees the slips addressed to their unit (R12, R13)."""
    return permissions.scoped(user, queryset, unit="department_id")


def visible_supervision_slips(user, queryset):
    """Supervision slips: those of the referral slips the user sees (R18)."""
    from .models import ReferralSlip

    return queryset.filter(referral__in=visible_referral_slips(user, ReferralSlip.objects.all()))


def visible_escalation_slips(user, queryset):
    """Escalation slips: all for staff and supervisors; a city leader sees
    those addressed to them (R13)."""
    scope = permissions.scope_for(user)
    if scope.changes_all or Role.SUPERVISOR in scope.roles:
        return queryset
    if Role.LEADER in scope.roles and scope.cadre_id is not None:
        return queryset.filter(leader_id=scope.cadre_id)
    return queryset.none()


def can_move_items(user):
    """The issue list's path (办理 / 交办 / 呈报, bulk 受理): the liaison office (R13)."""
    return permissions.is_liaison_staff(user)


def can_record_confirmation(user):
    """Recording an enterprise's verdict on a resolution given by phone
    (issue 17.5): the liaison office."""
    return permissions.is_liaison_staff(user)


def can_answer_slip(user, slip):
    """The information officer of the department the slip is addressed to."""
    return permissions.is_officer_of(user, slip.department_id)


def can_decide_slips(user):
    """Accepting, returning, extending, supervising: the liaison office (R13, R18)."""
    return permissions.is_liaison_staff(user)


def can_report_progress(user, slip):
    """Monthly progress on a referred item: the handling department's officer
    and the liaison office."""
    return can_decide_slips(user) or can_answer_slip(user, slip)


def can_instruct(user, slip):
    """The leader the slip is addressed to, or liaison staff entering it."""
    return permissions.is_liaison_staff(user) or permissions.is_own_cadre(user, slip.leader_id)


def can_view_slip_inbox(user):
    """The slips page: a department's officer, and those who see everything."""
    return permissions.can_view_reports(user)


def can_view_escalations(user):
    """The escalations page: staff and supervisors (all), leaders (their own)."""
    scope = permissions.scope_for(user)
    return scope.changes_all or bool(scope.roles & {Role.LEADER, Role.SUPERVISOR})


def can_view_own_items(user):
    """我的问题: a cadre follows the problems they raised (R14)."""
    return permissions.is_cadre(user)


def can_run_spot_checks(user):
    """R15: the supervising office (督查人员) draws samples and records
    checks; liaison staff may too."""
    scope = permissions.scope_for(user)
    return scope.changes_all or Role.SUPERVISOR in scope.roles


def can_view_rates(user):
    """联企问题解决率 per unit (R16): those who see unit reports."""
    return permissions.can_view_reports(user)
