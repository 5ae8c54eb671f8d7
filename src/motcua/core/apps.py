from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "motcua.core"
    label = "core"
    verbose_name = _("Nền tảng chung")

    def ready(self) -> None:
        # Connect the receivers that drop the cached calendar when an override changes, and the
        # sign-in lockout's counters to Django's login signals.
        from motcua.core import calendar, lockout  # noqa: F401
