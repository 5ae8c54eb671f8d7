from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "motcua.core"
    label = "core"
    verbose_name = _("Nền tảng chung")

    def ready(self) -> None:
        # Connects the receivers that drop the cached calendar when an override changes.
        from motcua.core import calendar  # noqa: F401
