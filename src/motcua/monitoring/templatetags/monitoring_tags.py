from urllib.parse import urlencode

from django import template
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.html import format_html

from motcua.core.templatetags.humanize_vn import number

register = template.Library()


@register.filter
def count_of(fig, name: str) -> int:
    return fig.count(name)


@register.filter
def rate_of(fig, code: str):
    return fig.rate(code)


@register.filter
def as_query(params: dict | None) -> str:
    return urlencode(params or {})


@register.filter
def abs_int(value) -> int:
    return abs(int(value))


@register.simple_tag
def messages_link(base: dict | None, **filters) -> str:
    """The list of the messages behind a number: the page's subject and period (`base`) and
    the number's own filters (kenh, su_kien, trang_thai, ly_do, co_quan…; None left out)."""
    query = {**(base or {}), **{k: v for k, v in filters.items() if v is not None}}
    return reverse("monitoring:messages") + "?" + urlencode(query)


@register.filter
def percent(value) -> str:
    """93.456 → "93,5%" ("—" when there is nothing to divide)."""
    return "—" if value is None else f"{floatformat(value, 1)}%"


@register.simple_tag
def messages_count(n, base: dict | None, **filters) -> str:
    """A count of messages, linked to the list of exactly those messages (0 is not linked)."""
    shown = number(n)
    if not n:
        return shown
    return format_html('<a href="{}">{}</a>', messages_link(base, **filters), shown)
