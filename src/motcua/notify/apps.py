from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "motcua.notify"
    label = "notify"
    verbose_name = _("Thông báo")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import OptOut
        from .services import _opt_outs_changed

        # However an opt-out is added or removed (a "stop" message, the desk, the admin),
        # every app server reads the new list from its next request on.
        post_save.connect(_opt_outs_changed, sender=OptOut, dispatch_uid="notify.optouts")
        post_delete.connect(_opt_outs_changed, sender=OptOut, dispatch_uid="notify.optouts-d")
