"""Who may read and record the coordinators' meetings (R2) and read the good
practices (R19): the access rules of the coordination app's own rows, beside
its views, built from the scope of :mod:`cadres.permissions`."""

from django.db.models import Q

from cadres import permissions


def can_record_any_meeting(user):
    """Liaison staff record the meetings of any coordinator (choosing one)."""
    return permissions.is_liaison_staff(user)


def can_record_meeting(user, coordinator_id):
    """A coordinator records their own region's meetings; liaison staff may
    record any."""
    return can_record_any_meeting(user) or permissions.is_own_cadre(user, coordinator_id)


def visible_meetings(user, queryset):
    """Meetings: all for staff, leaders and supervisors; a cadre sees the
    meetings they convened or attended."""
    scope = permissions.scope_for(user)
    if scope.sees_all:
        return queryset
    if scope.cadre_id is not None:
        return queryset.filter(Q(coordinator_id=scope.cadre_id) | Q(attendees=scope.cadre_id)).distinct()
    return queryset.none()


def can_view_meetings(user):
    """The meetings page: those who see every meeting; a coordinator, and a
    cadre who attended or convened a meeting, who list the meetings they may
    open (:func:`visible_meetings`), so the list and the meeting pages agree."""
    from .models import Meeting

    scope = permissions.scope_for(user)
    if scope.sees_all:
        return True
    if scope.cadre_id is None:
        return False
    return scope.is_coordinator or visible_meetings(user, Meeting.objects.all()).exists()


def listed_coordinators(user, queryset):
    """The coordinators the meetings page lists: every one for those who see
    the whole city; a coordinator or an attendee, themselves."""
    if permissions.sees_whole_city(user):
        return queryset
    return queryset.filter(pk=permissions.own_cadre_id(user))


def sees_every_meeting_item(user, meeting):
    """On a meeting's page: its recorder (the coordinator, staff) and those
    who see every meeting read every item it discussed; an attendee reads
    only the items ``issues.access.visible_issue_items`` lets them see."""
    return permissions.sees_whole_city(user) or can_record_meeting(user, meeting.coordinator_id)


def can_view_good_practices(user):
    """The good-practices page is open to every role (what each sees of it:
    :func:`visible_good_practices`)."""
    return bool(permissions.scope_for(user).roles)


def visible_good_practices(user, queryset):
    """Published stories are for everyone with a role; drafts for staff."""
    scope = permissions.scope_for(user)
    if scope.changes_all:
        return queryset
    if scope.roles:
        return queryset.filter(published_on__isnull=False)
    return queryset.none()
