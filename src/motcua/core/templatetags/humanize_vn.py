"""Vietnamese number formats: money in đồng with dot thousands, working days with a comma."""

from decimal import Decimal

from django import template
from django.utils.translation import get_language, gettext

register = template.Library()


def _group(n: int) -> str:
    sep = "," if (get_language() or "vi").startswith("en") else "."
    return f"{n:,}".replace(",", sep)


@register.filter
def number(value) -> str:
    """10000 → "10.000" (Vietnamese) or "10,000" (English)."""
    try:
        return _group(int(value))
    except (TypeError, ValueError):
        return ""


@register.filter
def dong(value) -> str:
    """200000 → "200.000 đ" (Vietnamese) or "200,000 VND" (English)."""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return ""
    if (get_language() or "vi").startswith("en"):
        return f"{_group(amount)} VND"
    return f"{_group(amount)} đ"


@register.filter
def days(value) -> str:
    """Decimal("0.500") → "0,5 ngày"."""
    try:
        number = Decimal(value).normalize()
    except (TypeError, ValueError, ArithmeticError):
        return ""
    text = f"{number:f}"
    if not (get_language() or "vi").startswith("en"):
        text = text.replace(".", ",")
    return gettext("%(n)s ngày") % {"n": text}


@register.filter
def iso_moment(value) -> str:
    """An ISO 8601 time kept in JSON (a signature's time), as people read it here."""
    from datetime import datetime

    from django.utils import timezone

    try:
        moment = datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%H:%M:%S %d/%m/%Y")
