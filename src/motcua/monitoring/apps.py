from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "motcua.monitoring"
    verbose_name = _("Theo dõi, đánh giá")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from motcua.dossiers.signals import dossier_changed
        from motcua.portal.models import Feedback, Rating

        from . import tally

        dossier_changed.connect(tally.on_dossier_changed, dispatch_uid="monitoring-tally")
        # A rating, or feedback about a dossier, changes its satisfaction figures, whoever
        # writes it (the portal's services or the admin).
        for model in (Rating, Feedback):
            for signal in (post_save, post_delete):
                signal.connect(tally.on_opinion_changed, sender=model, weak=False)
