"""Enterprise contacts sign in with a one-time code sent to their mobile
(issue 17). No password, no SMS here: the sending function is passed in by
the caller (the portal passes one that calls ``jobs.sms.send``).

- :func:`request_code`: makes and sends a code, within the limits per mobile
  (``PORTAL_CODES_PER_MOBILE_PER_HOUR``) and per address
  (``PORTAL_CODES_PER_ADDRESS_PER_HOUR``). An unknown or inactive mobile is
  answered as a known one (no enumeration of who is registered) but gets no
  text. Every request leaves a :class:`SignInLog` row.
- :func:`verify`: checks a code (the mobile's latest unused one; valid
  ``PORTAL_CODE_TTL_SECONDS``, ``PORTAL_CODE_ATTEMPTS`` tries) and answers the
  active contacts of that mobile (one mobile may speak for several
  enterprises); every attempt is logged. An address whose failed tries in the
  last hour (wrong or expired codes, whatever the mobiles) reached
  ``PORTAL_TRIES_PER_ADDRESS_PER_HOUR`` is refused before any code is looked
  at (logged :attr:`~SignInLog.Outcome.LIMITED`; ``SignInRefused.per_address``).
- :func:`start_session`, :func:`session_for`, :func:`end_session`: the
  contact's session (the cookie's random key; only its hash is stored),
  sliding ``PORTAL_SESSION_SECONDS``.

Only a keyed hash (HMAC-SHA256 with ``SECRET_KEY``) of a code is stored.
"""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tabular.phone import normalise_mobile

from .models import ContactSession, EnterpriseContact, SignInCode, SignInLog

Outcome = SignInLog.Outcome
CODE_DIGITS = 6
HOUR = datetime.timedelta(hours=1)
#: the log rows a code request leaves: what the hourly limits count
REQUESTS = (Outcome.CODE_SENT, Outcome.UNKNOWN_MOBILE)
#: the log rows a failed try leaves: what the hourly limit of tries per address counts
FAILED_TRIES = (Outcome.WRONG_CODE, Outcome.EXPIRED)


class SignInRefused(Exception):
    """A code that does not sign in: ``outcome`` says why (wrong, expired,
    limited); ``per_address`` when the address, not the code, is limited."""

    def __init__(self, outcome, per_address=False):
        super().__init__(outcome)
        self.outcome = outcome
        self.per_address = per_address


def hash_code(mobile: str, code: str) -> str:
    message = f"portal-code:{mobile}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def hash_key(key: str) -> str:
    return hashlib.sha256(f"portal-session:{key}".encode()).hexdigest()


def active_contacts(mobile: str):
    return EnterpriseContact.objects.filter(mobile=mobile, is_active=True).select_related("enterprise")


def _log(mobile, address, outcome, contact=None):
    SignInLog.objects.create(mobile=mobile, address=address, outcome=outcome, contact=contact)
    return outcome


def request_code(mobile: str, address: str | None, send) -> str:
    """Send a code to ``mobile`` if it is a contact's, within the limits;
    ``send(mobile, code)`` sends it. Answers the logged outcome (the caller
    shows the same page for CODE_SENT and UNKNOWN_MOBILE)."""
    mobile = normalise_mobile(mobile)
    since = timezone.now() - HOUR
    recent = SignInLog.objects.filter(at__gte=since, outcome__in=REQUESTS)
    if recent.filter(mobile=mobile).count() >= settings.PORTAL_CODES_PER_MOBILE_PER_HOUR or (
        address and recent.filter(address=address).count() >= settings.PORTAL_CODES_PER_ADDRESS_PER_HOUR
    ):
        return _log(mobile, address, Outcome.LIMITED)
    contact = active_contacts(mobile).first()
    if contact is None:
        return _log(mobile, address, Outcome.UNKNOWN_MOBILE)
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    now = timezone.now()
    with transaction.atomic():
        # A new code replaces the ones sent before.
        SignInCode.objects.filter(mobile=mobile, used_at=None).update(expires_at=now)
        SignInCode.objects.create(
            mobile=mobile,
            code_hash=hash_code(mobile, code),
            expires_at=now + datetime.timedelta(seconds=settings.PORTAL_CODE_TTL_SECONDS),
            address=address,
        )
        _log(mobile, address, Outcome.CODE_SENT, contact)
    send(mobile, code)
    return Outcome.CODE_SENT


def too_many_tries(address: str, now) -> bool:
    """Whether ``address`` failed ``PORTAL_TRIES_PER_ADDRESS_PER_HOUR`` tries in
    the last hour, for any mobiles (one address guessing codes for many)."""
    failed = SignInLog.objects.filter(address=address, at__gte=now - HOUR, outcome__in=FAILED_TRIES)
    return failed.count() >= settings.PORTAL_TRIES_PER_ADDRESS_PER_HOUR


def verify(mobile: str, code: str, address: str | None) -> list[EnterpriseContact]:
    """The active contacts of ``mobile`` if ``code`` is its latest code, in
    time and within its tries; raises :class:`SignInRefused` otherwise."""
    mobile = normalise_mobile(mobile)
    code = (code or "").strip()
    now = timezone.now()
    if address and too_many_tries(address, now):
        _log(mobile, address, Outcome.LIMITED)
        raise SignInRefused(Outcome.LIMITED, per_address=True)
    with transaction.atomic():
        row = SignInCode.objects.select_for_update().filter(mobile=mobile, used_at=None).first()
        if row is None or row.expires_at <= now:
            outcome = Outcome.EXPIRED
        elif row.attempts >= settings.PORTAL_CODE_ATTEMPTS:
            outcome = Outcome.LIMITED
        else:
            row.attempts += 1
            right = hmac.compare_digest(row.code_hash, hash_code(mobile, code))
            if right:
                row.used_at = now
            row.save(update_fields=["attempts", "used_at"])
            outcome = Outcome.SIGNED_IN if right else Outcome.WRONG_CODE
        contacts = list(active_contacts(mobile)) if outcome == Outcome.SIGNED_IN else []
        if outcome == Outcome.SIGNED_IN and not contacts:
            outcome = Outcome.UNKNOWN_MOBILE  # deactivated since the code was sent
        _log(mobile, address, outcome, contacts[0] if len(contacts) == 1 else None)
    if outcome != Outcome.SIGNED_IN:
        raise SignInRefused(outcome)
    return contacts


def start_session(contact: EnterpriseContact, address: str | None) -> str:
    """A new session for ``contact``; answers the key for the cookie."""
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    ContactSession.objects.create(
        key_hash=hash_key(key),
        contact=contact,
        last_seen=now,
        expires_at=now + datetime.timedelta(seconds=settings.PORTAL_SESSION_SECONDS),
        address=address,
    )
    return key


def session_for(key: str | None) -> ContactSession | None:
    """The live session of a cookie's key, its expiry moved on; None for
    no key, an unknown, ended or expired one, or a contact no longer active."""
    if not key:
        return None
    now = timezone.now()
    session = (
        ContactSession.objects.select_related("contact__enterprise")
        .filter(key_hash=hash_key(key), ended_at=None, expires_at__gt=now, contact__is_active=True)
        .first()
    )
    if session is None:
        return None
    session.last_seen = now
    session.expires_at = now + datetime.timedelta(seconds=settings.PORTAL_SESSION_SECONDS)
    session.save(update_fields=["last_seen", "expires_at"])
    return session


def switch_contact(session: ContactSession, contact_id: int) -> bool:
    """Move a session to another active contact of the same mobile (the
    chooser, for a mobile that speaks for several enterprises)."""
    contact = active_contacts(session.contact.mobile).filter(pk=contact_id).first()
    if contact is None:
        return False
    session.contact = contact
    session.save(update_fields=["contact"])
    return True


def end_session(key: str | None) -> None:
    if key:
        ContactSession.objects.filter(key_hash=hash_key(key), ended_at=None).update(ended_at=timezone.now())
