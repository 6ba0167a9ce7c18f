from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = _("问题清单")

    def ready(self):
        from visits.signals import visit_submitted

        from . import services

        def on_visit_submitted(sender, visit, by=None, **kwargs):
            services.items_from_visit(visit, by=by)

        visit_submitted.connect(on_visit_submitted, dispatch_uid="issues.items_from_visit", weak=False)
