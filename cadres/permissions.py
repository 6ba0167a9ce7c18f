"""Roles, the scope of a login, and who may see or change the cadres' own rows.

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
as liaison staff. Model-level rights (which tables) come from the group
permissions below; object scoping (which rows) from the ``visible_*`` (read)
and ``changeable_*`` (write) functions.

This module knows the scope (:func:`scope_for` and the primitives built on
it: staff, leader, supervisor, an officer's unit, a cadre) and the rows of
``cadres``. It reads no field of the apps above it: each of them owns the
access rules of its own rows in its ``access.py``, beside its views
(``visits.access``, ``issues.access``, ``multiplication.access``,
``coordination.access``, ``dashboards.access``, ``jobs.access``), built
from these primitives and :func:`scoped`. Every permission decision asks
one of these modules.
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
        # Column mappings are chosen on the import's preview; the admin shows
        # them and deletes one to have it asked again.
        "tabular.columnmapping": ("view", "delete"),
        "enterprises.place": ALL,
        "enterprises.placealias": ALL,
        "enterprises.enterprise": ALL,
        # Who signs in for an enterprise: staff here, cadres on their pages.
        "enterprises.enterprisecontact": ALL,
        # The enterprise pages' sign-in records and the enterprises' verdicts:
        # written by the code (enterprises.signin, issues.services), read here.
        "enterprises.signinlog": VIEW,
        "enterprises.signincode": VIEW,
        "enterprises.contactsession": VIEW,
        "issues.confirmation": VIEW,
        "cadres.unit": ALL,
        "cadres.unitalias": ALL,
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
        "issues.holidayyear": ALL,
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
        "jobs.smslog": VIEW,
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


def role_members(role):
    """The active logins of a role's group (superusers are not in one): those
    an app tells of its news by role (e.g. ``jobs.access.report_recipients``)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(groups__name=GROUP_NAMES[role], is_active=True).distinct()


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


# -- the scope's primitives -------------------------------------------------
#
# What the access rules of every app (``visits.access``, ``issues.access``,
# ``multiplication.access``, ``coordination.access``, ``dashboards.access``,
# ``jobs.access``) are built from: who the user is, never what the rows of
# those apps hold, which each app reads itself, beside its views.


def has_role(user, role):
    return role in scope_for(user).roles


def is_liaison_staff(user):
    """Reads and writes everything: liaison staff, superusers."""
    return scope_for(user).changes_all


def sees_whole_city(user):
    """Reads everything (staff, leaders, supervisors); also: city-wide totals
    beside a unit table."""
    return scope_for(user).sees_all


def is_cadre(user):
    return scope_for(user).cadre_id is not None


def own_cadre_id(user):
    """The cadre record behind a login, or None."""
    return scope_for(user).cadre_id


def own_unit_id(user):
    """The unit of the cadre behind a login (an officer's unit), or None."""
    return scope_for(user).unit_id


def is_officer_of(user, unit_id):
    """The information officer of this unit (R12)."""
    scope = scope_for(user)
    return scope.is_officer and scope.unit_id == unit_id


def is_own_cadre(user, cadre_id):
    """The login is this cadre's."""
    own = scope_for(user).cadre_id
    return own is not None and own == cadre_id


def can_use_admin(user):
    """The admin site: active staff logins (liaison staff, information
    officers, superusers), as Django's admin itself admits them."""
    return bool(user.is_active and user.is_staff)


def can_view_reports(user):
    """Unit-level reports (结对合规, coverage, rates): liaison staff, leaders
    and supervisors city-wide; a unit's information officer for their unit."""
    scope = scope_for(user)
    return scope.sees_all or scope.is_officer


def scoped(user, queryset, *, write=False, unit=None, cadre=None):
    """The one rule of row scoping, for any app's table: those who read (or,
    ``write``, change) everything get every row; an information officer the
    rows of their unit, by ``unit``, the lookup from the row to its unit; for
    reading, a cadre the rows of their own, by ``cadre``, the lookup from the
    row to its cadre; anybody else none. The lookups are the calling app's,
    written beside its models."""
    scope = scope_for(user)
    if scope.changes_all if write else scope.sees_all:
        return queryset
    if unit is not None and scope.is_officer:
        return queryset.filter(**{unit: scope.unit_id})
    if not write and cadre is not None and scope.cadre_id is not None:
        return queryset.filter(**{cadre: scope.cadre_id})
    return queryset.none()


# -- cadres' own rows ---------------------------------------------------------


def visible_units(user, queryset):
    return scoped(user, queryset, unit="pk", cadre="cadres")


def visible_cadres(user, queryset):
    return scoped(user, queryset, unit="unit_id", cadre="pk")


def visible_pairings(user, queryset, *, unit="cadre__unit_id"):
    """``unit``: the lookup to the pairing's unit (a count by the unit on a
    day gives its own, issue 16)."""
    return scoped(user, queryset, unit=unit, cadre="cadre_id")


def visible_figures(user, queryset, *, unit="unit_id"):
    """Counted figures (a closed quarter's frozen cells) of the units a user
    may see: every unit, or an information officer's own."""
    return scoped(user, queryset, unit=unit)


def visible_service_items(user, queryset):
    """Service lists are published to every signed-in user with a role (R10)."""
    return queryset if scope_for(user).roles else queryset.none()


def visible_assignments(user, queryset):
    """包片 areas and coordinator regions: known to every role (R1, R2)."""
    return queryset if scope_for(user).roles else queryset.none()


def enterprises_to_cover(user, queryset):
    """Of enterprises nobody links (结对合规): all for those who see the whole
    city; for a town's officer those in the place their unit governs; a
    department's officer has none of their own to cover."""
    scope = scope_for(user)
    if scope.sees_all:
        return queryset
    if scope.is_officer:
        return queryset.filter(place__government__id=scope.unit_id)
    return queryset.none()


def changeable_units(user, queryset):
    return scoped(user, queryset, write=True)


def managed_units(user, queryset):
    """Units whose cadres, service list (and plans) the user may add to or edit."""
    return scoped(user, queryset, write=True, unit="pk")


def changeable_cadres(user, queryset):
    return scoped(user, queryset, write=True, unit="unit_id")


def changeable_pairings(user, queryset):
    return scoped(user, queryset, write=True, unit="cadre__unit_id")


def changeable_service_items(user, queryset):
    return scoped(user, queryset, write=True, unit="unit_id")


def can_browse_service_lists(user):
    """R10: every department's service list is open to every role."""
    return bool(scope_for(user).roles)


# -- the enterprises' contacts (issue 17) --------------------------------------


def contact_enterprises(user, queryset):
    """The enterprises (of ``queryset``) whose contacts, who sign in for them
    with a code sent to their mobile, the user may list, add, correct and let
    go or take back: every one for liaison staff; for a cadre those they link
    now (a pairing in force today); for an information officer also those
    their unit's cadres link now (R12). Anybody else none."""
    scope = scope_for(user)
    if scope.changes_all:
        return queryset
    if scope.cadre_id is None and not scope.is_officer:
        return queryset.none()
    from django.utils import timezone

    from .models import Pairing

    linking = Q(cadre_id=scope.cadre_id)
    if scope.is_officer:
        linking |= Q(cadre__unit_id=scope.unit_id)
    linked = Pairing.objects.active_on(timezone.localdate()).filter(linking).values("enterprise_id")
    return queryset.filter(pk__in=linked)


def can_edit_contacts(user, enterprise):
    """Whether the user may change ``enterprise``'s contacts (see :func:`contact_enterprises`)."""
    return contact_enterprises(user, type(enterprise)._default_manager.filter(pk=enterprise.pk)).exists()
