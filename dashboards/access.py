"""Who may read the quarterly dashboard, its drill-down and the year-end
evaluation (R1, R2, R16, R17), and who may ask for a recount: the access
rules of the dashboards app's pages, beside its views, built from the scope
of :mod:`cadres.permissions`."""

from cadres import permissions


def can_view_dashboard(user):
    """The quarterly dashboard and the evaluation: staff, leaders and
    supervisors city-wide; a unit's information officer sees their unit's
    page. Read-only for all but staff, who may ask for a recount."""
    scope = permissions.scope_for(user)
    return scope.sees_all or scope.is_officer


def can_view_unit_dashboard(user, unit_id):
    """A unit's dashboard and its cadres' and pairings' pages: those who see
    the whole city, and the unit's own information officer."""
    return permissions.sees_whole_city(user) or permissions.is_officer_of(user, unit_id)


def can_recount(user):
    """Asking for a recount of a quarter now: liaison staff."""
    return permissions.is_liaison_staff(user)
