"""Writes of the outbox: queueing messages with the change that causes them, sending them
once, retrying what may succeed later, and recording what the providers tell us back.

Queueing happens inside the caller's transaction (a dossier's event, a feedback's answer): a
message exists exactly when its cause does. Sending happens in a task after commit, one task
per message; the row is marked "sending" (with the attempt counted) in its own transaction
before the provider is called, so a worker killed mid-send leaves a row that the next run
sends again under the same id — and the providers that deduplicate drop the second copy.
"""

import logging
import os
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.memo import process_cache

from . import sms_text
from .channels import (
    ChannelError,
    Outgoing,
    Permanent,
    Sent,
    Transient,
    channel_for,
    phone_e164_vn,
)
from .models import CHOOSABLE, TEMPLATES, Channel, Event, Message, OptOut, Template
from .templating import render

log = logging.getLogger("motcua.notify")

# Which event of the outbox each dossier action is told by (others: e-mail only, if at all).
ACTION_EVENTS = {
    "receive": Event.RECEIVED,
    "request_completion": Event.COMPLETION,
    "refuse_reception": Event.NOT_RECEIVED,
    "request_supplement": Event.SUPPLEMENT,
    "suspend": Event.SUSPENDED,
    "apologize": Event.APOLOGY,
    "mark_result_ready": Event.RESULT_READY,
    "return_result": Event.RETURNED,
    "reject": Event.REJECTED,
    "pay_counter": Event.PAID,
    "pay_online": Event.PAID,
}


def _conf(name: str, default):
    return settings.MOTCUA.get(name, default)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failed attempt, at most an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


OPT_OUTS = "notify-optouts"


@process_cache(ttl=60, shared=OPT_OUTS)
def _opt_outs() -> frozenset[tuple[str, str]]:
    """Every (channel, address) that said stop: a few thousand at most in a province, read on
    every change that tells someone, so kept per process until one is added or removed."""
    return frozenset(OptOut.objects.values_list("channel", "address"))


def _opt_outs_changed(**kwargs) -> None:
    from motcua.core.memo import bump_generation

    _opt_outs.cache_clear()  # this process at once, the others after the commit
    bump_generation(OPT_OUTS)


def opted_out(channel: str, address: str) -> bool:
    return bool(_stopped([(channel, address)]))


def _stopped(pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (channel, address) pairs said stop."""
    pairs = [(c, a) for c, a in pairs if a]
    if not pairs:
        return set()
    stopped = _opt_outs()
    return {(c, a) for c, a in pairs if (c, _address_key(c, a)) in stopped}


def _address_key(channel: str, address: str) -> str:
    """Phone numbers compared in one form, whatever way they were typed."""
    if channel in (Channel.SMS, Channel.ZNS):
        try:
            return phone_e164_vn(address)
        except Permanent:
            return address.strip()
    return address.strip().lower()


def chosen_channels(dossier) -> list[str]:
    """How the applicant chose to be told; before the choice existed, e-mail if given."""
    chosen = [c for c in (dossier.notify_by or []) if c in CHOOSABLE]
    if not chosen and dossier.applicant_email:
        chosen = [Channel.EMAIL]
    return chosen


def _recipient(channel: str, dossier) -> str:
    if channel == Channel.EMAIL:
        return dossier.applicant_email
    return dossier.applicant_phone


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else ""


def dossier_data(event, dossier) -> dict:
    """The values a dossier event's templates may use (motcua.notify.templating)."""
    from motcua.core.templatetags.humanize_vn import dong
    from motcua.dossiers import public_events
    from motcua.dossiers.selectors import lookup_url

    data = event.data or {}
    line = public_events.describe(event, dossier)
    items = data.get("missing_items") or []
    return {
        "ma_ho_so": dossier.display_code,
        "thu_tuc": dossier.procedure.name,
        "co_quan": dossier.receiving_agency.name,
        "tra_cuu": lookup_url(dossier) if dossier.code else "",
        "hen_tra": _moment(dossier.appointment_at),
        "giay_to": "; ".join(str(i) for i in items),
        "ly_do": event.note,
        "cach_nhan": str(line.awaited) if line is not None else "",
        "so_tien": dong(data["amount"]) if isinstance(data.get("amount"), int) else "",
    }


@process_cache(ttl=300, shared=TEMPLATES)
def _templates(event: str) -> dict[str, Template]:
    """The event's active templates by channel: read on every dossier write, changed rarely
    (every server drops its copy when one is saved: motcua.core.memo)."""
    return {t.channel: t for t in Template.objects.filter(event=event, active=True)}


def _fill(template: Template | None, data: dict, channel: str) -> tuple[str, str]:
    """Subject and text of one message. An SMS template written without diacritics (one GSM-7
    segment holds 160 characters, a Unicode one 70) gets its values without them too."""
    text = render(template.text, data)
    if channel == Channel.SMS and sms_text.is_gsm7(template.text):
        text = render(
            template.text, {k: sms_text.strip_diacritics(str(v)) for k, v in data.items()}
        )
    return render(template.subject, data), text


def queue_for_dossier_event(event, dossier) -> list[Message]:
    """The messages telling the applicant about `event`, one per channel he chose, written in
    the caller's transaction and sent after it commits."""
    from motcua.dossiers.notices import message_for

    if not _conf("NOTIFY_ENABLED", True):
        return []
    outbox_event = ACTION_EVENTS.get(event.action)
    templates = _templates(outbox_event) if outbox_event else {}
    rows = []
    wanted = [(c, _recipient(c, dossier)) for c in chosen_channels(dossier)]
    stopped = _stopped(wanted)
    for channel, recipient in wanted:
        if not recipient or (channel, recipient) in stopped:
            continue
        template = templates.get(channel)
        if template is not None:
            subject, text = _fill(template, dossier_data(event, dossier), channel)
        elif channel == Channel.EMAIL:
            # Every public event is told by e-mail, in the timeline's words, unless the
            # province wrote its own template for it.
            message = message_for(event, dossier)
            if message is None:
                continue
            subject, text = message
        else:
            continue  # SMS and Zalo only for the events their templates name
        rows.append(
            _message(
                channel,
                recipient,
                outbox_event or Event.RECEIVED,
                (subject, text),
                template,
                data={"action": event.action},
                dossier=dossier,
                dossier_event=event,
                agency_id=dossier.receiving_agency_id,
            )
        )
    return _queue(rows)


def _message(channel, recipient, event, written, template, **about) -> Message:
    """One outbox row: what `written` (subject, text) says, to `recipient` on `channel`."""
    subject, text = written
    return Message(
        channel=channel,
        recipient=recipient,
        event=event,
        subject=subject[:300],
        text=text,
        zns_template_id=template.zns_template_id if template else "",
        **about,
    )


def queue(
    *,
    channel: str,
    recipient: str,
    event: str,
    data: dict,
    dossier=None,
    feedback=None,
    agency_id=None,
    fallback_text: str = "",
    subject: str = "",
    use_template: bool = True,
) -> Message | None:
    """One message from the event's template on `channel` (or `fallback_text` when the
    province has none): for feedback answers, lookup answers and the hotline's links."""
    if not recipient or opted_out(channel, recipient):
        return None
    template = _templates(event).get(channel) if use_template else None
    if template is not None:
        subject, text = _fill(template, data, channel)
    elif fallback_text:
        text = fallback_text
    else:
        return None
    row = _message(
        channel,
        recipient,
        event,
        (subject, text),
        template,
        data={k: str(v) for k, v in data.items()},
        dossier=dossier,
        feedback=feedback,
        agency_id=agency_id,
    )
    return _queue([row])[0]


def _queue(rows: list[Message]) -> list[Message]:
    if not rows:
        return []
    Message.objects.bulk_create(rows)
    ids = [str(m.pk) for m in rows]
    if _tasks_in_this_database():
        # The task's row joins this transaction: it exists exactly when the messages do, and
        # costs no commit of its own (on PostgreSQL, a second flush of the WAL per change).
        _enqueue(ids)
    else:
        # A queue elsewhere (Redis) would hand the task to a worker before the commit.
        transaction.on_commit(lambda: _enqueue(ids))
    return rows


def _tasks_in_this_database() -> bool:
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    return backend.endswith("DatabaseBackend")


def _enqueue(ids, run_after=None) -> None:
    """One task for the messages of one change (each sent and recorded on its own)."""
    from .tasks import deliver, deliver_many

    if len(ids) == 1:
        task = deliver.using(run_after=run_after) if run_after else deliver
        task.enqueue(ids[0])
    else:
        task = deliver_many.using(run_after=run_after) if run_after else deliver_many
        task.enqueue(list(ids))


def _outgoing(message: Message) -> Outgoing:
    callback = ""
    if message.channel == Channel.SMS and _conf("SMS_RECEIPTS", True):
        from django.urls import reverse

        callback = _conf("PUBLIC_URL", "").rstrip("/") + reverse("notify:esms_receipt")
        if token := os.environ.get("ESMS_CALLBACK_TOKEN", ""):
            # eSMS signs nothing: the token in the address tells its receipts from forgeries.
            callback += "?" + urlencode({"t": token})
    return Outgoing(
        id=str(message.pk),
        channel=message.channel,
        recipient=message.recipient,
        text=message.text,
        subject=message.subject,
        template_id=message.zns_template_id,
        template_data={k: v for k, v in (message.data or {}).items() if k != "action"},
        callback_url=callback,
    )


def _claim(message_id) -> Message | None:
    """Mark the message as being sent (its attempt counted), or None if there is nothing to
    do now: already sent or given up, or another worker is sending it (its lease runs)."""
    lease = timedelta(seconds=_conf("NOTIFY_SEND_LEASE_SECONDS", 60))
    now = timezone.now()
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            return None
        if message.status == Message.Status.SENDING and message.sending_since + lease > now:
            # Someone else is at it: look again when his lease ends, in case he died.
            transaction.on_commit(
                lambda: _enqueue([message_id], run_after=message.sending_since + lease)
            )
            return None
        if message.status not in (Message.Status.QUEUED, Message.Status.SENDING):
            return None
        if message.next_attempt_at and message.next_attempt_at > now:
            transaction.on_commit(lambda: _enqueue([message_id], run_after=message.next_attempt_at))
            return None
        message.status = Message.Status.SENDING
        message.sending_since = now
        message.attempts += 1
        message.save(update_fields=["status", "sending_since", "attempts"])
    return message


def deliver_due(limit: int = 200) -> int:
    """Send up to `limit` messages whose time has come, oldest first, in one claim: the
    backlog after an outage, and the bench. Each is sent exactly as `deliver` sends it; two
    sweepers at once take different rows (SKIP LOCKED; SQLite serialises them)."""
    now = timezone.now()
    with transaction.atomic():
        due = (
            Message.objects.filter(status=Message.Status.QUEUED)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .order_by("created_at")
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        batch = list(due[:limit])
        for message in batch:
            message.status, message.sending_since = Message.Status.SENDING, now
            message.attempts += 1
        Message.objects.bulk_update(batch, ["status", "sending_since", "attempts"])
    done = []
    for message in batch:
        sent, _outcome = _attempt(message)
        if sent is not None:
            for name, value in _sent_fields(sent).items():
                setattr(message, name, value)
            done.append(message)
    Message.objects.bulk_update(done, list(_SENT_FIELDS))
    return len(batch)


def deliver(message_id) -> str:
    """Send one queued message; the task's body (motcua.notify.tasks.deliver)."""
    message = _claim(message_id)
    if message is None:
        return "nothing to do"
    sent, outcome = _attempt(message)
    if sent is None:
        return outcome
    Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(
        **_sent_fields(sent)
    )
    return "sent"


def _attempt(message: Message) -> tuple[Sent | None, str]:
    """Send a claimed message once: the provider's answer, or the failure recorded (to be
    retried when transient, given up when not) and what became of it."""
    try:
        return channel_for(message.channel).send(_outgoing(message)), "sent"
    except Transient as exc:
        return None, _failed(message, exc, retry=True)
    except (Permanent, ChannelError) as exc:
        return None, _failed(message, exc, retry=False)


_SENT_FIELDS = ("status", "provider_id", "answer", "reason", "sent_at", "sending_since")


def _sent_fields(sent: Sent) -> dict:
    values = (Message.Status.SENT, sent.provider_id[:100], sent.answer, "", timezone.now(), None)
    return dict(zip(_SENT_FIELDS, values, strict=True))


def _failed(message: Message, exc: ChannelError, *, retry: bool) -> str:
    limit = _conf("NOTIFY_MAX_ATTEMPTS", 6)
    now = timezone.now()
    if retry and message.attempts < limit:
        when = now + backoff(message.attempts)
        Message.objects.filter(pk=message.pk).update(
            status=Message.Status.QUEUED,
            reason=str(exc.reason)[:300],
            answer=exc.answer,
            next_attempt_at=when,
            sending_since=None,
        )
        _enqueue([str(message.pk)], run_after=when)
        log.warning("notify: %s to retry at %s: %s", message.pk, when, exc.reason)
        return "retry"
    status = Message.Status.GIVEN_UP if retry else Message.Status.FAILED
    reason = str(exc.reason)
    if retry:
        reason = _("Đã thử %(n)s lần: %(r)s") % {"n": message.attempts, "r": reason}
    Message.objects.filter(pk=message.pk).update(
        status=status, reason=reason[:300], answer=exc.answer, sending_since=None
    )
    log.warning("notify: %s %s: %s", message.pk, status, exc.reason)
    return str(status)


# --- what comes back ---------------------------------------------------------------------

ORDER = [
    Message.Status.QUEUED,
    Message.Status.SENDING,
    Message.Status.SENT,
    Message.Status.DELIVERED,
    Message.Status.SEEN,
]


def record_receipt(*, channel: str, provider_id: str, status: str, at=None) -> bool:
    """A delivery receipt (delivered, seen) for the message the provider knows by
    `provider_id`. Unknown ids and receipts older than what is known change nothing."""
    if not provider_id:
        return False
    at = at or timezone.now()
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .filter(channel=channel, provider_id=provider_id)
            .first()
        )
        if message is None or message.status not in ORDER:
            return False
        if ORDER.index(status) <= ORDER.index(message.status):
            return False  # a replay, or a receipt that arrives after a later one
        message.status = status
        fields = ["status"]
        if status == Message.Status.DELIVERED or message.delivered_at is None:
            message.delivered_at = at
            fields.append("delivered_at")
        if status == Message.Status.SEEN:
            message.seen_at = at
            fields.append("seen_at")
        message.save(update_fields=fields)
    return True


def opt_out(channel: str, address: str) -> None:
    OptOut.objects.get_or_create(channel=channel, address=_address_key(channel, address))
