from urllib.parse import urlencode

from django import template

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
