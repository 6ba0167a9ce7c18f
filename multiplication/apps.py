from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MultiplicationConfig(AppConfig):
    name = "multiplication"
    verbose_name = _("六大倍增")
