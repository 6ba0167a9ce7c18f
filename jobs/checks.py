"""System checks of the channel settings: a chain naming a channel the
table does not have would leave people without their messages quietly."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def channel_settings(app_configs=None, **kwargs):
    from . import channels

    known = sorted(c.code for c in channels.person_channels())
    unknown = [code for code in settings.REMINDER_CHANNELS if code not in known]
    if not unknown:
        return []
    return [
        Error(
            f"REMINDER_CHANNELS 中有未知的渠道：{', '.join(unknown)}。"
            " / Unknown channels in REMINDER_CHANNELS.",
            hint=f"可用 / available: {', '.join(known)}",
            id="jobs.E001",
        )
    ]
