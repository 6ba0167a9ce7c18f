from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("短信与群机器人")
    default_auto_field = "django.db.models.BigAutoField"
