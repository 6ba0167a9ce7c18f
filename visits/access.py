"""Who may see, file and edit feedback forms (R7–R9): the access rules of
the visits app's own rows, beside its views, built from the scope of
:mod:`cadres.permissions`."""

from django.db.models import Q

from cadres import permissions


def visible_visits(user, queryset):
    """Feedback forms: all for staff, leaders and supervisors; a unit's forms
    for its officer; for a cadre, the forms they filed or joined."""
    scope = permissions.scope_for(user)
    if scope.sees_all:
        return queryset
    if scope.is_officer:
        return queryset.filter(cadre__unit_id=scope.unit_id)
    if scope.cadre_id is not None:
        return queryset.filter(Q(cadre_id=scope.cadre_id) | Q(companions=scope.cadre_id)).distinct()
    return queryset.none()


def filable_pairings(user, queryset):
    """The pairings a user may file a feedback form for: their own, as a cadre."""
    cadre_id = permissions.own_cadre_id(user)
    if cadre_id is None:
        return queryset.none()
    return queryset.filter(cadre_id=cadre_id)


def is_filer(user, visit):
    """The login is the cadre who filed the form."""
    return permissions.is_own_cadre(user, visit.cadre_id)


def can_edit_visit(user, visit):
    """Only the filing cadre, and only while the form is a draft (R9); after
    that, liaison staff correct it in the admin, with history."""
    return is_filer(user, visit) and visit.allows("save")


def can_submit_visit(user, visit):
    """The filing cadre submits the draft, once (R9)."""
    return is_filer(user, visit) and visit.allows("submit")


def can_correct_visit(user, visit):
    """Liaison staff correct a submitted form in the admin, with history (R9):
    only a login the admin itself admits is offered the way there."""
    return permissions.is_liaison_staff(user) and permissions.can_use_admin(user) and visit.allows("correct")


def visit_actions(user, visit) -> frozenset:
    """The actions of the form's table (``Visit.ACTIONS``) the user may take
    on it now: what its pages offer."""
    may = {"save": can_edit_visit, "submit": can_submit_visit, "correct": can_correct_visit}
    return frozenset(name for name, rule in may.items() if rule(user, visit))
