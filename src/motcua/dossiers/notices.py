"""What the applicant is told about a dossier's event, in the words of its public timeline (the
outbox, motcua.notify, sends it)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import public_events
from .selectors import lookup_url, public_url

# The applicant hears about every event of their public timeline, submission included, in its
# words; internal events (a draft's files, hand-overs inside an agency…) send nothing.
APPLICANT_EVENTS = frozenset(public_events.PUBLIC)


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


def message_for(event, dossier) -> tuple[str, str] | None:
    """The subject and body telling the applicant about `event`, or None for an internal one."""
    line = public_events.describe(event, dossier)
    if line is None:
        return None
    code = dossier.display_code
    lines = [
        _("Kính gửi %(n)s,") % {"n": dossier.applicant_name},
        _("Hồ sơ %(c)s (%(p)s): %(t)s.")
        % {"c": code, "p": dossier.procedure.name, "t": line.title},
    ]
    if public_events.tells_note(event) and event.note:
        lines.append(event.note)
    if line.awaited:
        lines.append(f"{line.awaited}.")
    if line.awaited_by:
        lines.append(_("Hẹn trả kết quả: %(t)s.") % {"t": _moment(line.awaited_by)})
    if dossier.owner_id:
        path = reverse("portal:my_dossier", args=[dossier.reference])
        lines.append(_("Xem hồ sơ: %(u)s") % {"u": public_url(path)})
    if dossier.code:
        lines.append(_("Tra cứu: %(u)s") % {"u": lookup_url(dossier)})
    subject = _("Hồ sơ %(c)s: %(t)s") % {"c": code, "t": line.title}
    return subject, "\n".join(lines)
