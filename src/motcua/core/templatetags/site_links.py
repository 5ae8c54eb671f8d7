"""The language switch as plain links: the language lives in the URL (/en/… for English), so
switching needs no form, no cookie and no CSRF token, and a public page can be cached whole."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

register = template.Library()

NAMES = {"vi": "Tiếng Việt", "en": "English"}


@register.simple_tag(takes_context=True)
def other_languages(context) -> list[dict]:
    request = context.get("request")
    path = request.get_full_path() if request is not None else "/"
    current = get_language()
    return [
        {"code": code, "name": NAMES.get(code, code), "url": translate_url(path, code)}
        for code, _name in settings.LANGUAGES
        if code != current
    ]
