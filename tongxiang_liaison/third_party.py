"""Third-party apps under Chinese names in the admin.

django-axes ships no Chinese catalog, so its app and model names read
"AXES / Access attempts" before a Chinese user. The app's name is this
AppConfig's ``verbose_name``; the models' names are set on their ``_meta``
when the app is ready (``_meta.original_attrs``, which migrations read, is
left alone, so no migration is asked for). Field labels are given by the
admin classes in ``tongxiang_liaison/admin.py``."""

from axes.apps import AppConfig as BaseAxesConfig
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

AXES_MODEL_NAMES = {
    "AccessAttempt": (_("登录失败记录"), _("登录失败记录")),
    "AccessAttemptExpiration": (_("登录失败记录有效期"), _("登录失败记录有效期")),
    "AccessLog": (_("登录日志"), _("登录日志")),
    "AccessFailureLog": (_("登录失败日志"), _("登录失败日志")),
}


class AxesConfig(BaseAxesConfig):
    verbose_name = _("登录安全")

    def ready(self):
        super().ready()
        for name, (singular, plural) in AXES_MODEL_NAMES.items():
            try:
                model = self.get_model(name)
            except LookupError:  # pragma: no cover - a model another axes version lacks
                continue
            model._meta.verbose_name = singular
            model._meta.verbose_name_plural = plural
            if hasattr(model, "attempt_time"):
                model.__str__ = _record_title  # "Attempted Access: …" otherwise


def _record_title(record):
    when = timezone.localtime(record.attempt_time) if record.attempt_time else None
    return f"{record.username or '—'} · {when:%Y-%m-%d %H:%M}" if when else (record.username or "—")
