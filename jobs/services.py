"""Writes of the channel settings: a unit's group robots, a person's chain of
channels, and the test message staff send from the admin (through the same
claim-and-deliver path as every reminder, so it is logged in 提醒记录 with
its delivery rows)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tabular.history import records_history_by

from . import channels, delivery
from .delivery import Message
from .models import ChannelPreference, ReminderLog, UnitRobot
from .routing import Route

KEEP = object()  # a secret left as it is


@records_history_by()
def save_robot(robot: UnitRobot, *, webhook=KEEP, secret=KEEP, by=None) -> UnitRobot:
    """Validate and save ``robot``; ``webhook`` and ``secret`` replace the
    stored ones when given (``""`` clears the secret), else they are kept."""
    if webhook is not KEEP:
        robot.webhook = webhook.strip()
    if secret is not KEEP:
        robot.secret = secret.strip()
    robot.full_clean()
    robot.save()
    return robot


@records_history_by()
def set_channels(user, codes, *, preference=None, by=None) -> ChannelPreference:
    """Set ``user``'s chain: the preferred channel first, then the fall-backs
    (into ``preference``, the admin's instance, when given)."""
    if preference is None:
        preference = ChannelPreference.objects.filter(user=user).first() or ChannelPreference(user=user)
    preference.user = user
    preference.channels = ",".join(code for code in codes if code)
    preference.full_clean()
    preference.save()
    return preference


def _test_message(by, **fields):
    now = timezone.localtime()
    return Message(
        kind="test",
        period=f"{now:%Y-%m-%d %H:%M:%S.%f}",
        subject=_("【测试】桐乡市联企联络系统的消息渠道"),
        body=_("这是 %(who)s 于 %(at)s 发送的测试消息，收到即表示渠道设置正确。")
        % {"who": getattr(by, "username", "") or _("系统"), "at": f"{now:%Y-%m-%d %H:%M}"},
        link="/",
        **fields,
    )


@records_history_by()
def send_test_message(*, robot: UnitRobot | None = None, user=None, by=None) -> ReminderLog:
    """Send a test message to ``robot`` (that robot alone), or to ``user`` by
    their chain of channels; claimed and delivered like a reminder, so it is
    in 提醒记录 with each channel's outcome. Returns its log row."""
    if robot is not None:
        message = _test_message(
            by,
            recipient_id=None,
            unit_id=robot.unit_id,
            stage=f"robot{robot.pk}",
            routes=(Route(robot.channel, str(robot.pk)),),
        )
    else:
        message = _test_message(by, recipient_id=user.pk, stage="channels", email=user.email)
    with transaction.atomic():
        (pk,) = delivery.claim([message])
    delivery.deliver([pk], once=True)
    return ReminderLog.objects.get(pk=pk)


def channel_choices(audience):
    """(code, label) of the registered channels for ``audience``."""
    found = channels.person_channels() if audience == channels.PERSON else channels.group_channels()
    return [(c.code, c.label) for c in found]
