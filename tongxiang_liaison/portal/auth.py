"""The enterprise pages' own sign-in state, apart from the staff's sessions.

A signed-in contact holds the cookie ``PORTAL_COOKIE_NAME`` (default
``tx_qiye``; path ``/qiye/``, HttpOnly, SameSite=Lax, Secure when
``SECURE_COOKIES``): a random key whose hash names an
:class:`enterprises.models.ContactSession`. The staff's Django session is
never read here, and this cookie is never read by a staff page: a staff login
opens no enterprise page, a contact's cookie no staff page.

- :func:`contact_required`: the decorator of every enterprise page; sets
  ``request.portal_session``, ``request.portal_contact`` and
  ``request.portal_enterprise``, or sends to the sign-in page.
- :func:`sign_in` (``response``, ``contact``, ``address``) sets the cookie;
  :func:`sign_out` ends the session and deletes it.
"""

from functools import wraps

from django.conf import settings
from django.shortcuts import redirect

from enterprises import signin

COOKIE_PATH = "/qiye/"


def cookie_name():
    return settings.PORTAL_COOKIE_NAME


def current_session(request):
    return signin.session_for(request.COOKIES.get(cookie_name()))


def contact_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        session = current_session(request)
        if session is None:
            return redirect("portal:login")
        request.portal_session = session
        request.portal_contact = session.contact
        request.portal_enterprise = session.contact.enterprise
        return view(request, *args, **kwargs)

    return wrapper


def sign_in(response, contact, address):
    key = signin.start_session(contact, address)
    response.set_cookie(
        cookie_name(),
        key,
        max_age=settings.PORTAL_SESSION_SECONDS * 48,  # the server's sliding expiry decides
        path=COOKIE_PATH,
        httponly=True,
        samesite="Lax",
        secure=settings.PORTAL_COOKIE_SECURE,
    )
    return response


def sign_out(request, response):
    signin.end_session(request.COOKIES.get(cookie_name()))
    response.delete_cookie(cookie_name(), path=COOKIE_PATH, samesite="Lax")
    return response
