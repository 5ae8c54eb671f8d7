"""Shared records: the official working-calendar overrides."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarOverride(models.Model):
    """A day whose status differs from the weekly rule (ngày nghỉ / ngày làm bù).

    The `holidays` package gives the base; each year's official schedule for public servants,
    with its swaps, is stored here with the decision that set it, and wins over the package.
    """

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Ngày nghỉ")
        WORKING_DAY = "working_day", _("Ngày làm việc (làm bù)")

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("tên"), max_length=200)
    decision = models.CharField(
        _("văn bản quy định"),
        max_length=300,
        blank=True,
        help_text=_("Số, ngày và cơ quan ban hành văn bản quyết định ngày nghỉ hoặc làm bù."),
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("ngày nghỉ / làm bù")
        verbose_name_plural = _("lịch nghỉ, làm bù")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.name}"
