"""Every permission decision of the system, in one module.

Roles are Django groups, installed after every ``migrate`` from ``ROLE_PERMISSIONS``
(:func:`install_role_groups`):

- 联络办工作人员 (liaison staff): all data, read and write;
- 单位信息员 (unit information officer, R12): their own unit's cadres, pairings
  and service list; the enterprise register read-only (enterprises are shared
  by every unit, R6, so only liaison staff change them: a table-level right,
  granted by the group permissions below);
- 联系干部 (cadre): their own pairings only, through the cadre pages;
- 领导 (leader): everything read-only, through dashboards and reports;
- 督查人员 (supervisor, R15): read access to pairings for spot checks.

A user's unit is the unit of the cadre linked to their login. Superusers act
as liaison staff. Object scoping (which rows) is decided here too, by the
``visible_*`` (read) and ``changeable_*`` (write) functions; model-level
rights (which tables) come from the group permissions below. Apps above
``cadres`` build their own scopes from :func:`scope_for`.
"""

from dataclasses import dataclass

from django.db.models import Q, TextChoices
from django.utils.translation import gettext_lazy as _


class Role(TextChoices):
    LIAISON_STAFF = "liaison_staff", _("联络办工作人员")
    UNIT_OFFICER = "unit_officer", _("单位信息员")
    CADRE = "cadre", _("联系干部")
    LEADER = "leader", _("领导")
    SUPERVISOR = "supervisor", _("督查人员")


# Group names are data (stored in auth_group), fixed in Chinese.
GROUP_NAMES = {
    Role.LIAISON_STAFF: "联络办工作人员",
    Role.UNIT_OFFICER: "单位信息员",
    Role.CADRE: "联系干部",
    Role.LEADER: "领导",
    Role.SUPERVISOR: "督查人员",
}
ROLE_BY_GROUP = {name: role for role, name in GROUP_NAMES.items()}

ALL = ("view", "add", "change", "delete")
VIEW = ("view",)
EDIT = ("view", "add", "change")

ROLE_PERMISSIONS = {
    Role.LIAISON_STAFF: {
        "enterprises.place": ALL,
        "enterprises.placealias": ALL,
        "enterprises.enterprise": ALL,
        "cadres.unit": ALL,
        "cadres.cadre": ALL,
        "cadres.areaassignment": ALL,
        "cadres.coordinatorregion": ALL,
        "cadres.pairing": ALL,
        "cadres.serviceitem": ALL,
        "visits.visit": ALL,
        "visits.visitproblem": ALL,
        "issues.issueitem": ALL,
        "issues.issueevent": VIEW,
        "issues.referralslip": ALL,
        "issues.extensionrequest": ALL,
        "issues.calendarday": ALL,
        "issues.escalationslip": ALL,
        "issues.supervisionslip": ALL,
        "issues.spotcheckbatch": ALL,
        "issues.spotcheck": ALL,
        "issues.progressentry": ALL,
        "multiplication.membership": ALL,
        "multiplication.revenuefigure": ALL,
        "multiplication.categoryremit": ALL,
        "multiplication.doublingplan": ALL,
        "multiplication.plantowntarget": ALL,
        "coordination.meeting": ALL,
        "coordination.meetingitem": ALL,
        "coordination.goodpractice": ALL,
        "visits.problemremit": ALL,
        # The office watches the reminder log, the reports and the tasks kept
        # while the broker was down, sets the schedules' times and unlocks a
        # login locked out by mistake.
        "jobs.reminderlog": VIEW,
        "jobs.channeldelivery": VIEW,
        # Who is reached where: the units' group robots and each person's
        # channels, set by the office (the secrets are write-only).
        "jobs.unitrobot": ALL,
        "jobs.channelpreference": ALL,
        "messaging.smslog": VIEW,
        "jobs.notice": VIEW,
        "jobs.quarterlyreport": VIEW,
        "jobs.pendingtask": ("view", "delete"),
        "django_celery_beat.periodictask": EDIT,
        "django_celery_beat.crontabschedule": EDIT,
        "axes.accessattempt": ("view", "delete"),
    },
    Role.UNIT_OFFICER: {
        "enterprises.place": VIEW,
        "enterprises.enterprise": VIEW,
        "cadres.unit": VIEW,
        "cadres.cadre": EDIT,
        "cadres.pairing": EDIT,
        "cadres.serviceitem": ALL,
        "visits.visit": VIEW,
        "visits.visitproblem": VIEW,
        "issues.issueitem": VIEW,
        "multiplication.membership": VIEW,
        "multiplication.revenuefigure": VIEW,
        "multiplication.categoryremit": VIEW,
        "multiplication.doublingplan": EDIT,
        "multiplication.plantowntarget": ALL,
    },
    Role.CADRE: {},
    Role.LEADER: {
        "enterprises.place": VIEW,
        "enterprises.enterprise": VIEW,
        "cadres.unit": VIEW,
        "cadres.cadre": VIEW,
        "cadres.pairing": VIEW,
        "cadres.serviceitem": VIEW,
        "visits.visit": VIEW,
        "visits.visitproblem": VIEW,
        "issues.issueitem": VIEW,
        "issues.referralslip": VIEW,
        "multiplication.membership": VIEW,
        "multiplication.revenuefigure": VIEW,
        "multiplication.categoryremit": VIEW,
        "multiplication.doublingplan": VIEW,
        "multiplication.plantowntarget": VIEW,
        "coordination.meeting": VIEW,
        "coordination.goodpractice": VIEW,
    },
    Role.SUPERVISOR: {
        "enterprises.place": VIEW,
        "enterprises.enterprise": VIEW,
        "cadres.unit": VIEW,
        "cadres.cadre": VIEW,
        "cadres.pairing": VIEW,
        "visits.visit": VIEW,
        "visits.visitproblem": VIEW,
        "issues.issueitem": VIEW,
        "issues.spotcheckbatch": EDIT,
        "issues.spotcheck": EDIT,
    },
}

# Roles whose members use the admin site (is_staff).
ADMIN_ROLES = {Role.LIAISON_STAFF, Role.UNIT_OFFICER}


def install_role_groups(sender=None, using="default", **kwargs):
    """Give the role groups exactly ``ROLE_PERMISSIONS``, after ``migrate``
    (and after a test's flush), from this one table: connected to
    ``post_migrate`` by ``CadresConfig.ready``, never called by a migration, so
    a change to the table reaches every database at its next ``migrate``.

    ``post_migrate`` is sent once per app; the groups are synced on the last
    app's signal, when every app's permissions exist. Safe to run again."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    configs = [config for config in global_apps.get_app_configs() if config.models_module is not None]
    if sender is not None and sender.label != configs[-1].label:
        return
    for config in configs:
        create_permissions(config, verbosity=0, using=using)
    sync_role_groups(Group.objects.db_manager(using), Permission.objects.db_manager(using))


def sync_role_groups(groups, permissions):
    """Create the role groups and give them exactly the permissions above
    (``groups`` and ``permissions``: the managers of the database at hand).
    Safe to run again."""
    for role, models in ROLE_PERMISSIONS.items():
        group, _created = groups.get_or_create(name=GROUP_NAMES[role])
        wanted = []
        for label, actions in models.items():
            app_label, model = label.split(".")
            wanted.extend(
                permissions.filter(
                    content_type__app_label=app_label,
                    codename__in=[f"{action}_{model}" for action in actions],
                )
            )
        group.permissions.set(wanted)


@dataclass(frozen=True)
class Scope:
    """What a user may see and change, resolved once per request."""

    roles: frozenset
    cadre_id: int | None
    unit_id: int | None
    sees_all: bool
    changes_all: bool
    is_coordinator: bool = False
    cadre_name: str = ""

    @property
    def is_officer(self):
        return Role.UNIT_OFFICER in self.roles and self.unit_id is not None


NOBODY = Scope(frozenset(), None, None, False, False)


def scope_for(user):
    if user is None or not user.is_authenticated or not user.is_active:
        return NOBODY
    cached = getattr(user, "_liaison_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        roles = frozenset({Role.LIAISON_STAFF})
    else:
        roles = frozenset(
            ROLE_BY_GROUP[name]
            for name in user.groups.values_list("name", flat=True)
            if name in ROLE_BY_GROUP
        )
    cadre = _cadre_of(user)
    scope = Scope(
        roles=roles,
        cadre_id=cadre.pk if cadre else None,
        unit_id=cadre.unit_id if cadre else None,
        sees_all=bool(roles & {Role.LIAISON_STAFF, Role.LEADER, Role.SUPERVISOR}),
        changes_all=Role.LIAISON_STAFF in roles,
        is_coordinator=bool(cadre and cadre.is_coordinator),
        cadre_name=cadre.name if cadre else "",
    )
    user._liaison_scope = scope
    return scope


def _cadre_of(user):
    from .models import Cadre

    return (
        Cadre.objects.filter(user=user, is_active=True)
        .only("pk", "unit_id", "is_coordinator", "name")
        .first()
    )


def report_recipients():
    """The active logins told that a quarterly report is ready (R16): the
    leaders, who may download it (:func:`can_download_quarterly_reports`)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(groups__name=GROUP_NAMES[Role.LEADER], is_active=True).distinct()


def liaison_staff_users():
    """The active logins that act as liaison staff (the group, and superusers):
    those told of what the office must act on next."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            Q(groups__name=GROUP_NAMES[Role.LIAISON_STAFF]) | Q(is_superuser=True), is_active=True
        )
        .distinct()
    )


def has_role(user, role):
    return role in scope_for(user).roles


def is_liaison_staff(user):
    return scope_for(user).changes_all


# -- rows a user may see or change ------------------------------------------
#
# One rule, applied per table: who reads or writes everything, the unit an
# information officer is confined to (by the lookup from the row to its unit),
# and, for reading, the cadre a cadre is confined to.


def _scoped(user, queryset, *, write, unit=None, cadre=None):
    scope = scope_for(user)
    if scope.changes_all if write else scope.sees_all:
        return queryset
    if unit is not None and scope.is_officer:
        return queryset.filter(**{unit: scope.unit_id})
    if not write and cadre is not None and scope.cadre_id is not None:
        return queryset.filter(**{cadre: scope.cadre_id})
    return queryset.none()


def visible_units(user, queryset):
    return _scoped(user, queryset, write=False, unit="pk", cadre="cadres")


def visible_cadres(user, queryset):
    return _scoped(user, queryset, write=False, unit="unit_id", cadre="pk")


def visible_pairings(user, queryset):
    return _scoped(user, queryset, write=False, unit="cadre__unit_id", cadre="cadre_id")


def visible_service_items(user, queryset):
    """Service lists are published to every signed-in user with a role (R10)."""
    return queryset if scope_for(user).roles else queryset.none()


def visible_assignments(user, queryset):
    """包片 areas and coordinator regions: known to every role (R1, R2)."""
    return queryset if scope_for(user).roles else queryset.none()


def changeable_units(user, queryset):
    return _scoped(user, queryset, write=True)


def managed_units(user, queryset):
    """Units whose cadres and service list the user may add to or edit."""
    return _scoped(user, queryset, write=True, unit="pk")


def changeable_cadres(user, queryset):
    return _scoped(user, queryset, write=True, unit="unit_id")


def changeable_pairings(user, queryset):
    return _scoped(user, queryset, write=True, unit="cadre__unit_id")


def changeable_service_items(user, queryset):
    return _scoped(user, queryset, write=True, unit="unit_id")


def changeable_doubling_plans(user, queryset):
    """R17: a department's officer edits only the plans their unit owns;
    liaison staff edit every plan."""
    return _scoped(user, queryset, write=True, unit="owner_id")


def can_delete_doubling_plan(user, plan):
    """R17: approving a plan freezes its baseline, and the plan stays on the
    record: an approved plan is deleted by nobody, superusers included. A
    draft may be deleted by those who may change it
    (:func:`changeable_doubling_plans`); the table-level delete right comes
    from the role's group permissions (liaison staff only)."""
    if plan.is_approved:
        return False
    return changeable_doubling_plans(user, type(plan).objects.filter(pk=plan.pk)).exists()


def can_approve_doubling_plans(user):
    """Approving a plan freezes its baseline: the liaison office's call."""
    return scope_for(user).changes_all


def can_view_doubling(user):
    """The six-doubling registry pages (R17): those who see unit reports."""
    return can_view_reports(user)


def can_record_meeting(user, coordinator_id):
    """R2: a coordinator records their own region's meetings; liaison staff
    may record any."""
    scope = scope_for(user)
    return scope.changes_all or (scope.cadre_id is not None and scope.cadre_id == coordinator_id)


def visible_meetings(user, queryset):
    """Meetings: all for staff, leaders and supervisors; a cadre sees the
    meetings they convened or attended."""
    scope = scope_for(user)
    if scope.sees_all:
        return queryset
    if scope.cadre_id is not None:
        return queryset.filter(Q(coordinator_id=scope.cadre_id) | Q(attendees=scope.cadre_id)).distinct()
    return queryset.none()


def can_view_meetings(user, meetings):
    """The meetings page (R2): those who see every meeting; a coordinator,
    and a cadre who attended or convened one of ``meetings``, who list the
    meetings they may open (:func:`visible_meetings`), so the list and the
    meeting pages agree."""
    scope = scope_for(user)
    if scope.sees_all:
        return True
    if scope.cadre_id is None:
        return False
    return scope.is_coordinator or visible_meetings(user, meetings).exists()


def sees_every_meeting_item(user, meeting):
    """On a meeting's page: its recorder (the coordinator, staff) and those
    who see every meeting read every item it discussed; an attendee reads
    only the items :func:`visible_issue_items` lets them see."""
    return scope_for(user).sees_all or can_record_meeting(user, meeting.coordinator_id)


def visible_good_practices(user, queryset):
    """R19: published stories are for everyone with a role; drafts for staff."""
    scope = scope_for(user)
    if scope.changes_all:
        return queryset
    if scope.roles:
        return queryset.filter(published_on__isnull=False)
    return queryset.none()


def can_view_dashboard(user):
    """The quarterly dashboard: staff, leaders and supervisors city-wide; a
    unit's information officer sees their unit's page. Read-only for all but
    staff, who may ask for a recount."""
    scope = scope_for(user)
    return scope.sees_all or scope.is_officer


def can_view_unit_dashboard(user, unit_id):
    """A unit's dashboard and its cadres' pages: those who see the whole city,
    and the unit's own information officer."""
    scope = scope_for(user)
    return scope.sees_all or (scope.is_officer and scope.unit_id == unit_id)


def can_browse_service_lists(user):
    """R10: every department's service list is open to every role."""
    return bool(scope_for(user).roles)


def can_view_good_practices(user):
    """R19: the good-practices page is open to every role (what each sees of
    it: :func:`visible_good_practices`)."""
    return bool(scope_for(user).roles)


def can_use_admin(user):
    """The admin site: active staff logins (liaison staff, information
    officers, superusers), as Django's admin itself admits them."""
    return bool(user.is_active and user.is_staff)


def visible_visits(user, queryset):
    """Feedback forms: all for staff, leaders and supervisors; a unit's forms
    for its officer; for a cadre, the forms they filed or joined."""
    scope = scope_for(user)
    if scope.sees_all:
        return queryset
    if scope.is_officer:
        return queryset.filter(cadre__unit_id=scope.unit_id)
    if scope.cadre_id is not None:
        return queryset.filter(Q(cadre_id=scope.cadre_id) | Q(companions=scope.cadre_id)).distinct()
    return queryset.none()


def visible_issue_items(user, queryset):
    """Issue-list items: all for staff, leaders and supervisors; for a unit's
    officer, those reported by its cadres and those referred to the unit (it
    handles them, R13); a cadre's own for the cadre."""
    scope = scope_for(user)
    if scope.is_officer and not scope.sees_all:
        mine = Q(reporter__unit_id=scope.unit_id) | Q(referrals__department_id=scope.unit_id)
        return queryset.filter(pk__in=queryset.model.objects.filter(mine).values("pk"))
    return _scoped(user, queryset, write=False, unit="reporter__unit_id", cadre="reporter_id")


def can_report_progress(user, slip):
    """Monthly progress on a referred item: the handling department's officer
    and the liaison office."""
    return scope_for(user).changes_all or can_answer_slip(user, slip)


def visible_referral_slips(user, queryset):
    """Referral slips: all for staff, leaders and supervisors; a department's
    officer sees the slips addressed to their unit (R12, R13)."""
    return _scoped(user, queryset, write=False, unit="department_id")


def visible_escalation_slips(user, queryset):
    """Escalation slips: all for staff and supervisors; a city leader sees
    those addressed to them (R13)."""
    scope = scope_for(user)
    if scope.changes_all or Role.SUPERVISOR in scope.roles:
        return queryset
    if Role.LEADER in scope.roles and scope.cadre_id is not None:
        return queryset.filter(leader_id=scope.cadre_id)
    return queryset.none()


def can_instruct(user, slip):
    """The leader the slip is addressed to, or liaison staff entering it."""
    scope = scope_for(user)
    return scope.changes_all or (scope.cadre_id is not None and slip.leader_id == scope.cadre_id)


def can_download_quarterly_reports(user):
    """The quarterly report (R16): liaison staff and leaders."""
    scope = scope_for(user)
    return scope.changes_all or Role.LEADER in scope.roles


def can_run_spot_checks(user):
    """R15: the supervising office (督查人员) draws samples and records
    checks; liaison staff may too."""
    scope = scope_for(user)
    return scope.changes_all or Role.SUPERVISOR in scope.roles


def can_answer_slip(user, slip):
    """The information officer of the department the slip is addressed to."""
    scope = scope_for(user)
    return scope.is_officer and slip.department_id == scope.unit_id


def can_decide_slips(user):
    """Accepting, returning, extending: the liaison office (R13)."""
    return scope_for(user).changes_all


def filable_pairings(user, queryset):
    """The pairings a user may file a feedback form for: their own, as a cadre."""
    scope = scope_for(user)
    if scope.cadre_id is None:
        return queryset.none()
    return queryset.filter(cadre_id=scope.cadre_id)


def can_edit_visit(user, visit):
    """Only the filing cadre, and only while the form is a draft; after that,
    liaison staff correct it in the admin, with history."""
    cadre_id = scope_for(user).cadre_id
    return cadre_id is not None and visit.cadre_id == cadre_id and visit.is_open_to_its_cadre


# -- pages ----------------------------------------------------------------


def can_view_reports(user):
    """Unit-level reports (结对合规, coverage): liaison staff, leaders and
    supervisors city-wide; a unit's information officer for their unit."""
    scope = scope_for(user)
    return scope.sees_all or scope.is_officer


def is_cadre(user):
    return scope_for(user).cadre_id is not None


def own_cadre_id(user):
    """The cadre record behind a login, or None."""
    return scope_for(user).cadre_id


def can_view_slip_inbox(user):
    """The slips page: a department's officer, and those who see everything."""
    return can_view_reports(user)


def can_view_escalations(user):
    """The escalations page: staff and supervisors (all), leaders (their own)."""
    scope = scope_for(user)
    return scope.changes_all or bool(scope.roles & {Role.LEADER, Role.SUPERVISOR})


def sees_whole_city(user):
    """City-wide totals beside a unit table: for those who see every unit."""
    return scope_for(user).sees_all
