"""Who may read and build the quarterly report (R16) and who is told it is
ready: the access rules of the jobs app's rows, beside its views, built from
the scope of :mod:`cadres.permissions`."""

from cadres import permissions
from cadres.permissions import Role


def can_download_quarterly_reports(user):
    """The quarterly report: liaison staff and leaders."""
    return permissions.is_liaison_staff(user) or permissions.has_role(user, Role.LEADER)


def can_build_quarterly_reports(user):
    """Building a quarter's report now, and closing, reopening or re-closing
    the quarter it publishes (issue 16): liaison staff."""
    return permissions.is_liaison_staff(user)


def report_recipients():
    """The active logins told that a quarterly report is ready: the leaders,
    who may download it (:func:`can_download_quarterly_reports`)."""
    return permissions.role_members(Role.LEADER)
