"""E-mail through Django's mail API, so the SMTP server (or a file or console backend) is
whatever settings.EMAIL_* say; the sender is settings.DEFAULT_FROM_EMAIL. No environment
variables of its own.
"""

import smtplib
from email.utils import make_msgid

from django.core.mail import EmailMessage
from django.core.mail.message import DNS_NAME
from django.utils.translation import gettext as _

from . import Outgoing, Permanent, Sent, Transient


class EmailChannel:
    kind = "email"

    def send(self, message: Outgoing) -> Sent:
        # Our own Message-ID, set before sending, is the only id an SMTP server gives back to
        # match a bounce with; Django would otherwise make a new one inside send().
        message_id = make_msgid(domain=str(DNS_NAME))
        email = EmailMessage(
            message.subject,
            message.text,
            None,  # DEFAULT_FROM_EMAIL
            [message.recipient],
            headers={"Message-ID": message_id},
        )
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise Permanent(_("Máy chủ thư từ chối địa chỉ người nhận."), repr(exc)) from exc
        except ValueError as exc:  # Django refuses a malformed address before connecting
            raise Permanent(_("Địa chỉ e-mail không hợp lệ."), str(exc)) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise Transient(
                _("Lỗi gửi thư: %(error)s") % {"error": type(exc).__name__}, repr(exc)
            ) from exc
        return Sent(provider_id=message_id, answer="sent")
