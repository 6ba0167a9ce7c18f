"""The channels a message goes out by, behind one interface, in one table.

A :class:`Channel` says whom it reaches (:data:`PERSON`: an address of a
person; :data:`GROUP`: a unit's group robot), finds a person's address
(:meth:`Channel.address`), and sends an :class:`Outgoing` message
(:meth:`Channel.send`), returning a receipt or raising :class:`ChannelError`
that says whether trying again can help. A channel with ``per_minute`` is
rate-limited per address across every worker (:mod:`jobs.delivery` counts
the attempts of the last minute under a lock of :meth:`Channel.lock`).

:data:`REGISTRY` is the table. The reminder builders never name a channel;
:mod:`jobs.routing` chooses from the table (a person's preference, a unit's
robots) and :mod:`jobs.delivery` sends. A new channel is one class
registered with :func:`register`: nothing else changes.

Registered here: ``email`` (as before: one SMTP connection per run), ``sms``
(:mod:`jobs.sms`), ``dingtalk`` (a DingTalk custom robot, with 加签) and
``wecom`` (a WeCom group robot), both in ``text`` or ``markdown``."""

import abc
import contextlib
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs import robots, sms
from jobs.secrets import UnreadableSecret

PERSON, GROUP = "person", "group"


@dataclass(frozen=True)
class Contact:
    """What the person channels may address: a login's email and mobile."""

    user_id: int
    email: str = ""
    mobile: str = ""


@dataclass(frozen=True)
class Outgoing:
    subject: str
    body: str
    url: str = ""  # absolute, or empty
    reference: str = ""  # the same on every attempt: a gateway may key on it


class ChannelError(Exception):
    def __init__(self, message, *, retryable=True, retry_after=None):
        super().__init__(message)
        self.retryable, self.retry_after = retryable, retry_after


class Channel(abc.ABC):
    code = ""
    label = ""
    audience = PERSON
    per_minute = None  # messages a minute per address, or None

    def address(self, contact: Contact) -> str:
        """A person's address on this channel ("" when they have none)."""
        return ""

    def describe(self, address: str) -> str:
        """The address as the admin shows it."""
        return address

    @contextlib.contextmanager
    def session(self):
        """A sender for a run of messages (one connection, where it has one)."""
        yield self.send

    @abc.abstractmethod
    def send(self, address: str, message: Outgoing) -> str:
        """Deliver ``message`` to ``address``; the service's message id (or "")."""

    def lock(self, address: str):
        """Lock what the rate limit of ``address`` is counted under (inside a
        transaction). A channel without a rate limit has nothing to lock."""
        return None


REGISTRY: dict[str, Channel] = {}


def register(channel_class):
    """Add a channel (a class) to the table; usable as a decorator."""
    channel = channel_class()
    REGISTRY[channel.code] = channel
    return channel_class


def get(code) -> Channel | None:
    return REGISTRY.get(code)


def person_channels():
    return [c for c in REGISTRY.values() if c.audience == PERSON]


def group_channels():
    return [c for c in REGISTRY.values() if c.audience == GROUP]


def label(code) -> str:
    channel = REGISTRY.get(code)
    return str(channel.label) if channel else code


def plain_text(message: Outgoing) -> str:
    return "\n".join(part for part in (message.subject, message.body, message.url) if part)


def markdown(message: Outgoing) -> str:
    """The message as Markdown: its subject a heading, ``·`` lines a list, the
    link at the foot. Names are not marked up, so ``*`` and ``_`` in them are
    escaped."""

    def escape(text):
        return "".join(f"\\{c}" if c in "\\*_[]`#" else c for c in text)

    lines = [f"### {escape(message.subject)}", ""]
    for line in message.body.splitlines():
        lines.append(f"- {escape(line[2:])}" if line.startswith("· ") else escape(line))
    if message.url:
        lines += ["", f"[{_('打开系统查看')}]({message.url})"]
    return "\n".join(lines)


def fit(text: str, limit: int, url: str = "") -> str:
    """``text`` cut on a line to at most ``limit`` bytes of UTF-8, saying how
    many lines were left out (and keeping the link, which says where they are)."""
    if len(text.encode("utf-8")) <= limit:
        return text
    lines = text.splitlines()
    tail = [lines[-1]] if url and lines and url in lines[-1] else []
    body = lines[: len(lines) - len(tail)]
    while body:
        left = len(lines) - len(tail) - len(body)
        note = _("……另有 %(count)s 行，请在系统中查看。") % {"count": left}
        candidate = "\n".join(body + ([note] if left else []) + tail)
        if len(candidate.encode("utf-8")) <= limit:
            return candidate
        body.pop()
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


@register
class EmailChannel(Channel):
    code, label = "email", gettext_lazy("电子邮件")

    def address(self, contact):
        return contact.email

    @contextlib.contextmanager
    def session(self):
        connection = get_connection(fail_silently=False)
        try:
            yield lambda address, message: self._send(connection, address, message)
        finally:
            with contextlib.suppress(Exception):  # a broken connection must not hide the result
                connection.close()

    def send(self, address, message):
        with self.session() as send:
            return send(address, message)

    def _send(self, connection, address, message):
        body = f"{message.body}\n\n{message.url}" if message.url else message.body
        try:
            EmailMessage(subject=message.subject, body=body, to=[address], connection=connection).send()
        except smtplib.SMTPRecipientsRefused as error:
            raise ChannelError(_("邮件服务器拒收：%(error)s") % {"error": error}, retryable=False) from None
        except Exception as error:  # SMTP and network errors: retried
            raise ChannelError(str(error)[:500] or type(error).__name__) from None
        return ""


@register
class SmsChannel(Channel):
    code, label = "sms", gettext_lazy("短信")

    def address(self, contact):
        return contact.mobile

    def send(self, address, message):
        text = "\n".join(part for part in (message.subject, message.body) if part)
        if len(text) > settings.SMS_MAX_CHARS:
            text = text[: settings.SMS_MAX_CHARS - 1] + "…"
        if message.url:
            text += f"\n{message.url}"
        try:
            return sms.send(
                address, text, purpose="reminder", reference=message.reference, retries=0
            ).gateway_id
        except sms.SmsError as error:
            raise ChannelError(str(error), retryable=error.retryable) from None


class RobotChannel(Channel):
    """A unit's group robot: the address is the :class:`jobs.models.UnitRobot`'s id."""

    audience = GROUP
    service = ""

    @property
    def per_minute(self):
        return settings.ROBOT_MESSAGES_PER_MINUTE

    def _robot(self, address):
        from .models import UnitRobot

        return UnitRobot.objects.filter(pk=address).first()

    def describe(self, address):
        robot = self._robot(address)
        return f"{robot.unit.name} · {robot.name}" if robot else address

    def lock(self, address):
        from .models import UnitRobot

        list(UnitRobot.objects.select_for_update().filter(pk=address).values_list("pk"))

    def send(self, address, message):
        robot = self._robot(address)
        if robot is None or not robot.is_active:
            raise ChannelError(_("群机器人已删除或停用。"), retryable=False)
        try:
            webhook, secret = robot.webhook.reveal(), robot.secret.reveal()
        except UnreadableSecret as error:
            raise ChannelError(str(error), retryable=False) from None
        form = robot.message_format
        text = markdown(message) if form == robots.MARKDOWN else plain_text(message)
        text = fit(text, robots.MAX_BYTES[(self.service, form)], message.url)
        try:
            return self.post(webhook, secret, form, message.subject, text)
        except robots.RobotError as error:
            raise ChannelError(str(error), retryable=error.retryable, retry_after=error.retry_after) from None


@register
class DingTalkChannel(RobotChannel):
    code, label, service = "dingtalk", gettext_lazy("钉钉群机器人"), "dingtalk"

    def post(self, webhook, secret, form, title, text):
        payload = robots.dingtalk_payload(form, title, text)
        return robots.send_dingtalk(webhook, secret, payload, timeout=settings.ROBOT_TIMEOUT_SECONDS)


@register
class WeComChannel(RobotChannel):
    code, label, service = "wecom", gettext_lazy("企业微信群机器人"), "wecom"

    def post(self, webhook, secret, form, title, text):
        payload = robots.wecom_payload(form, text)
        return robots.send_wecom(webhook, payload, timeout=settings.ROBOT_TIMEOUT_SECONDS)
