"""Follow-up work after a dossier changes: telling the applicant, off the request path."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _
from django_tasks import task

from .lifecycle import State

# Events an applicant hears about; the rest are internal hand-overs.
APPLICANT_EVENTS = {
    "receive",
    "request_completion",
    "refuse_reception",
    "request_supplement",
    "suspend",
    "resume",
    "reject",
    "apologize",
    "mark_result_ready",
    "return_result",
    "withdraw",
}


@task()
def notify_applicant(event_id: int) -> str:
    """E-mail the applicant about a change of their dossier (SMS and Zalo come later)."""
    from .models import DossierEvent

    event = DossierEvent.objects.select_related("dossier").get(pk=event_id)
    dossier = event.dossier
    if event.action not in APPLICANT_EVENTS or not dossier.applicant_email:
        return "skipped"
    subject = _("Hồ sơ %(c)s: %(s)s") % {"c": dossier.display_code, "s": State(dossier.state).label}
    lookup = f"{settings.MOTCUA['PUBLIC_URL'].rstrip('/')}/tra-cuu/?ma={dossier.code or ''}"
    body = "\n".join(
        filter(
            None,
            [
                _("Kính gửi %(n)s,") % {"n": dossier.applicant_name},
                _("Hồ sơ %(c)s (%(p)s) đã chuyển sang trạng thái: %(s)s.")
                % {
                    "c": dossier.display_code,
                    "p": dossier.procedure.name,
                    "s": State(dossier.state).label,
                },
                event.note,
                "\n".join(event.data.get("missing_items", [])),
                _("Tra cứu: %(u)s") % {"u": lookup},
            ],
        )
    )
    send_mail(subject, body, None, [dossier.applicant_email], fail_silently=False)
    return "sent"
