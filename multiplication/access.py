"""Who may see the six-doubling registry and work its plans (R17): the access
rules of the multiplication app's own rows, beside its views, built from the
scope of :mod:`cadres.permissions`."""

from cadres import permissions


def can_view_doubling(user):
    """The six-doubling registry pages: those who see unit reports."""
    return permissions.can_view_reports(user)


def changeable_doubling_plans(user, queryset):
    """A department's officer edits only the plans their unit owns; liaison
    staff edit every plan."""
    return permissions.scoped(user, queryset, write=True, unit="owner_id")


def can_approve_doubling_plans(user):
    """Approving a plan freezes its baseline: the liaison office's call."""
    return permissions.is_liaison_staff(user)


def can_delete_doubling_plan(user, plan):
    """Approving a plan freezes its baseline, and the plan stays on the
    record: an approved plan is deleted by nobody, superusers included. A
    draft may be deleted by those who may change it
    (:func:`changeable_doubling_plans`); the table-level delete right comes
    from the role's group permissions (liaison staff only)."""
    if plan.is_approved:
        return False
    return changeable_doubling_plans(user, type(plan).objects.filter(pk=plan.pk)).exists()
