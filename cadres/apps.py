from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CadresConfig(AppConfig):
    name = "cadres"
    verbose_name = _("单位、干部与结对")

    def ready(self):
        from .permissions import install_role_groups

        post_migrate.connect(install_role_groups, dispatch_uid="cadres.install_role_groups")
