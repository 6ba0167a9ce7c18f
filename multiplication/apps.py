from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MultiplicationConfig(AppConfig):
    name = "multiplication"
    verbose_name = _("六大倍增")

    def ready(self):
        """A submitted feedback form's sales figure becomes a revenue figure
        for the six-doubling registry (R17)."""
        from visits.signals import visit_submitted

        from . import services

        def on_visit_submitted(sender, visit, **kwargs):
            services.record_visit_revenue(visit)

        visit_submitted.connect(
            on_visit_submitted, dispatch_uid="multiplication.record_visit_revenue", weak=False
        )
