"""What a feedback's sender is told when it is answered (the outbox, motcua.notify, sends it)."""

from django.urls import reverse
from django.utils.translation import gettext as _


def tell_feedback_answer(item) -> None:
    """Queue the answer for the sender in the answering transaction: by e-mail (the whole
    answer), or without an address by SMS with the link, where the province has a template."""
    from motcua.dossiers.selectors import public_url
    from motcua.notify import services
    from motcua.notify.models import Channel, Event

    link = public_url(reverse("portal:feedback_detail", args=[item.reference]))
    data = {"tieu_de": item.title, "duong_dan": link}
    body = "\n\n".join(
        [
            _("Kính gửi %(n)s,") % {"n": item.sender_name},
            _("Phản ánh “%(t)s” của bạn đã được trả lời:") % {"t": item.title},
            item.answer,
            _("Xem tại: %(u)s") % {"u": link},
        ]
    )
    agency_id = item.agency_id
    services.queue(
        channel=Channel.EMAIL,
        recipient=item.sender_email,
        event=Event.FEEDBACK_ANSWERED,
        data=data,
        feedback=item,
        agency_id=agency_id,
        fallback_text=body,
        subject=_("Trả lời phản ánh: %(t)s") % {"t": item.title},
    )
    if not item.sender_email:
        # Without an address, by SMS where the province has a template for the answer.
        services.queue(
            channel=Channel.SMS,
            recipient=item.sender_phone,
            event=Event.FEEDBACK_ANSWERED,
            data=data,
            feedback=item,
            agency_id=agency_id,
        )
