"""What the fees section asks about the person reading it (the pages pass only the dossier)."""

from django import template

from motcua.payments import services

register = template.Library()


@register.simple_tag(takes_context=True)
def may_record_refund(context, dossier) -> bool:
    request = context.get("request")
    return request is not None and services.may_record_refund(request.user, dossier)
