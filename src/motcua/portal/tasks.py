"""Follow-up work of the public site, off the request path."""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task


@task()
def notify_feedback_answer(feedback_id: int) -> str:
    """E-mail the sender the answer to their feedback, with the link to its page."""
    from .models import Feedback

    item = Feedback.objects.get(pk=feedback_id)
    if not item.sender_email:
        return "skipped"
    link = settings.MOTCUA["PUBLIC_URL"].rstrip("/") + reverse(
        "portal:feedback_detail", args=[item.reference]
    )
    body = "\n\n".join(
        [
            _("Kính gửi %(n)s,") % {"n": item.sender_name},
            _("Phản ánh “%(t)s” của bạn đã được trả lời:") % {"t": item.title},
            item.answer,
            _("Xem tại: %(u)s") % {"u": link},
        ]
    )
    send_mail(_("Trả lời phản ánh: %(t)s") % {"t": item.title}, body, None, [item.sender_email])
    return "sent"
