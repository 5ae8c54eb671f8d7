"""Colour bands: green "Tốt", yellow "Khá", orange "Trung bình", red "Yếu"."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .models import BandScale


@dataclass(frozen=True)
class Band:
    slug: str  # green, yellow, orange, red
    label: str


GREEN = Band("green", _("Tốt"))
YELLOW = Band("yellow", _("Khá"))
ORANGE = Band("orange", _("Trung bình"))
RED = Band("red", _("Yếu"))
DEFAULTS = (Decimal(90), Decimal(70), Decimal(50))


def thresholds() -> tuple[Decimal, Decimal, Decimal]:
    scale = BandScale.objects.order_by("pk").first()
    if scale is None:
        return DEFAULTS
    return scale.green_from, scale.yellow_from, scale.orange_from


def band(percent: float | None, cuts=None) -> Band | None:
    """The band of a share of the full mark, in percent (lower bounds inclusive)."""
    if percent is None:
        return None
    green, yellow, orange = cuts or thresholds()
    value = Decimal(str(round(percent, 4)))
    if value >= green:
        return GREEN
    if value >= yellow:
        return YELLOW
    if value >= orange:
        return ORANGE
    return RED
