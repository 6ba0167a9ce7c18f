"""Who gets a message where: the chain of channels of each claimed message,
decided when it is claimed and kept in its :class:`jobs.models.ChannelDelivery`
rows.

- A person: their own chain (接收渠道 in the admin: preferred first, then the
  fall-backs), else ``REMINDER_CHANNELS``; each channel on which they have no
  address (no mobile for ``sms``) is left out. None left: the in-app notice
  alone.
- A unit (its group digest): its active robots in order, then its
  information officer's own chain, as a fall-back.
- A personal message of a kind a unit's robot digests (:data:`DIGESTED`: the
  quarterly visit reminders) is left to the app alone for the cadres of a
  unit whose robot ``replaces_personal``: the group has it.

Four queries per batch of messages, whatever their number (the robots, the
units' officers, the people, in chunks of :data:`CHUNK`)."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model

from cadres.models import Unit

from . import channels
from .models import UnitRobot

#: personal kinds a unit's group digest stands in for
DIGESTED = {"visit"}
CHUNK = 5000


@dataclass(frozen=True)
class Route:
    channel: str
    address: str


def active_robots():
    """Every active robot, as (id, unit id, channel, replaces personal), in order."""
    return list(
        UnitRobot.objects.filter(is_active=True)
        .order_by("unit_id", "position", "pk")
        .values_list("pk", "unit_id", "channel", "replaces_personal")
    )


def units_with_robots() -> set:
    return {unit_id for _pk, unit_id, _channel, _replaces in active_robots()}


def _contacts(user_ids):
    """user id → (Contact, the channel codes of their preference or None, their cadre's unit)."""
    found = {}
    user_ids = sorted(user_ids)
    for start in range(0, len(user_ids), CHUNK):
        rows = (
            get_user_model()
            .objects.filter(pk__in=user_ids[start : start + CHUNK], is_active=True)
            .values_list(
                "pk",
                "email",
                "cadre__email",
                "cadre__mobile",
                "cadre__unit_id",
                "channel_preference__channels",
            )
        )
        for pk, email, cadre_email, mobile, unit_id, codes in rows:
            contact = channels.Contact(pk, email or cadre_email or "", mobile or "")
            found[pk] = (contact, codes.split(",") if codes else None, unit_id)
    return found


def _person(contact, codes, email=""):
    routes = []
    for code in codes or settings.REMINDER_CHANNELS:
        channel = channels.get(code)
        if channel is None or channel.audience != channels.PERSON:
            continue
        address = (email if code == "email" and email else "") or channel.address(contact)
        if address:
            routes.append(Route(code, address))
    return routes


def plan(reminders) -> dict:
    """reminder id → its routes, for rows of (id, recipient id, unit id, kind, email)."""
    robots = active_robots()
    by_unit, replacing = {}, set()
    for pk, unit_id, code, replaces in robots:
        by_unit.setdefault(unit_id, []).append(Route(code, str(pk)))
        if replaces:
            replacing.add(unit_id)
    unit_ids = {row[2] for row in reminders if row[2]}
    officers = (
        dict(
            Unit.objects.filter(pk__in=unit_ids, information_officer__user__isnull=False).values_list(
                "pk", "information_officer__user_id"
            )
        )
        if unit_ids
        else {}
    )
    contacts = _contacts({row[1] for row in reminders if row[1]} | set(officers.values()))
    routes = {}
    for pk, recipient_id, unit_id, kind, email in reminders:
        if unit_id:
            chain = list(by_unit.get(unit_id, []))
            officer = contacts.get(officers.get(unit_id))
            if officer:
                chain += [r for r in _person(officer[0], officer[1]) if r not in chain]
        else:
            person = contacts.get(recipient_id)
            if person is None or (kind in DIGESTED and person[2] in replacing):
                chain = []
            else:
                chain = _person(person[0], person[1], email)
        routes[pk] = chain
    return routes
