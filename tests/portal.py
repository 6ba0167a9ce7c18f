"""Helpers for the enterprise pages' tests (issue 17)."""

from django.conf import settings

from enterprises import signin


def sign_in(client, contact, address="127.0.0.1"):
    """Give ``client`` the portal cookie of a new session of ``contact``
    (as the code page does); answers the session's key."""
    key = signin.start_session(contact, address)
    client.cookies[settings.PORTAL_COOKIE_NAME] = key
    return key
