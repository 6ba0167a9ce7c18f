from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("提醒与报表")

    def ready(self):
        from . import checks  # noqa: F401  (registers the channel settings' check)
        from .schedules import install_schedules

        post_migrate.connect(install_schedules, dispatch_uid="jobs.install_schedules")
