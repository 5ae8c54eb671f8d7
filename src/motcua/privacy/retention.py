"""Retention: when the period of a kind of record ends, its personal data goes.

Periods are settings (MOTCUA["RETENTION"]; 0 turns a kind off). Finished dossiers and drafts
are anonymized, not deleted: their numbers still count in the indicators and their event chain
still verifies (see motcua.dossiers.audit). Stored files go through the storage API once the
change is committed. Access records are deleted; feedback loses its sender.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.dossiers.audit import REDACTION, event_hash, verify_dossier
from motcua.dossiers.lifecycle import CLOSED, State
from motcua.dossiers.models import Dossier, DossierEvent, DossierFile
from motcua.dossiers.services.core import lock, record
from motcua.portal.models import Feedback, Rating

from .models import PersonalDataAccess

MARKER = "[ẩn danh]"
# What is blanked on a dossier; the code, procedure, agencies, dates and states stay.
DOSSIER_FIELDS = (
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "delivery_address",
    "summary",
    "result_summary",
)
# Keys of an event's data that hold what a person typed or named (a file's original name).
EVENT_DATA_KEYS = ("name",)


@dataclass
class RetentionReport:
    access_records: int = 0
    dossiers: int = 0
    drafts: int = 0
    files: int = 0
    feedback: int = 0
    skipped: list[str] = field(default_factory=list)  # dossiers whose chain was broken


def years_before(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def _periods() -> dict:
    return settings.MOTCUA["RETENTION"]


def _not_anonymized(qs: QuerySet[Dossier]) -> QuerySet[Dossier]:
    done = DossierEvent.objects.filter(dossier=OuterRef("pk"), action=REDACTION)
    return qs.exclude(Exists(done))


def expired_dossiers(now: datetime) -> QuerySet[Dossier]:
    years = _periods()["DOSSIER_YEARS"]
    if years <= 0:
        return Dossier.objects.none()
    cutoff = years_before(now, years)
    return _not_anonymized(Dossier.objects.filter(state__in=CLOSED, finished_at__lt=cutoff))


def expired_drafts(now: datetime) -> QuerySet[Dossier]:
    """Drafts a citizen started and never submitted, untouched for the period."""
    days = _periods()["DRAFT_DAYS"]
    if days <= 0:
        return Dossier.objects.none()
    cutoff = now - timedelta(days=days)
    return _not_anonymized(
        Dossier.objects.filter(state=State.DRAFT, submitted_at__isnull=True, updated_at__lt=cutoff)
    )


def expired_access_records(now: datetime) -> QuerySet[PersonalDataAccess]:
    years = _periods()["ACCESS_YEARS"]
    if years <= 0:
        return PersonalDataAccess.objects.none()
    return PersonalDataAccess.objects.filter(at__lt=years_before(now, years))


def expired_feedback(now: datetime) -> QuerySet[Feedback]:
    years = _periods()["FEEDBACK_YEARS"]
    if years <= 0:
        return Feedback.objects.none()
    return Feedback.objects.filter(created_at__lt=years_before(now, years)).exclude(
        sender_name=MARKER
    )


def _redact_event(event: DossierEvent) -> bool:
    """Blank the event's personal content in place; True when something changed."""
    changed = False
    if event.actor_id is not None and not event.actor.is_staff:
        event.actor, event.actor_name, changed = None, MARKER, True
    if event.note:
        event.note, changed = "", True
    for key in EVENT_DATA_KEYS:
        if key in event.data and event.data[key] != MARKER:
            event.data = {**event.data, key: MARKER}
            changed = True
    return changed


def _erase_files(dossier: Dossier, *, delete_rows: bool) -> int:
    """Remove the stored bytes after commit. A finished dossier keeps its file rows (their
    purpose counts in the indicators, their hash in the events); a draft loses them."""
    stored = list(DossierFile.objects.filter(dossier=dossier).order_by("-pk"))
    for f in stored:
        path, storage = f.file.name, f.file.storage
        if path:
            transaction.on_commit(lambda p=path, s=storage: s.delete(p))
        if delete_rows:
            continue
        f.file.name, f.original_name = "", MARKER
        f.save(update_fields=["file", "original_name"])
    if delete_rows:
        # Newest first: a newer version points at the one it supersedes.
        for f in stored:
            f.delete()
    return len(stored)


def dossier_anonymize(*, dossier: Dossier | int, now: datetime | None = None) -> int | None:
    """Blank a dossier's personal data, its events' and its files'; returns the number of
    files erased, or None when its event chain does not verify (left for an inquiry: the
    anonymize event would otherwise vouch for tampered content)."""
    now = now or timezone.now()
    with transaction.atomic():
        dossier = lock(dossier)
        events = list(dossier.events.select_related("actor").order_by("seq"))
        for e in events:
            e.dossier = dossier
        if verify_dossier(dossier, events):
            return None
        vouched = {}
        for event in events:
            if _redact_event(event):
                vouched[str(event.seq)] = event_hash(event)
                event.save(update_fields=["actor", "actor_name", "note", "data"])
        for name in DOSSIER_FIELDS:
            setattr(dossier, name, MARKER if getattr(dossier, name) else "")
        is_draft = dossier.state == State.DRAFT
        if not is_draft:
            dossier.owner = None  # the finished dossier no longer leads to the person
            Rating.objects.filter(dossier=dossier).update(comment="", by=None)
            _anonymize_feedback(Feedback.objects.filter(dossier=dossier))
        files = _erase_files(dossier, delete_rows=is_draft)
        record(
            dossier,
            REDACTION,
            None,
            from_state=dossier.state,
            now=now,
            note=_("Hết thời hạn lưu trữ dữ liệu cá nhân."),
            data={"redacted": vouched},
        )
    return files


def _anonymize_feedback(qs: QuerySet[Feedback]) -> int:
    return qs.update(sender_name=MARKER, sender_phone="", sender_email="", sender=None)


def apply_retention(*, now: datetime | None = None, dry_run: bool = True) -> RetentionReport:
    """Apply every retention period; with `dry_run`, only count what would go."""
    now = now or timezone.now()
    report = RetentionReport()
    access = expired_access_records(now)
    feedback = expired_feedback(now)
    finished = expired_dossiers(now)
    drafts = expired_drafts(now)
    if dry_run:
        report.access_records = access.count()
        report.feedback = feedback.count()
        report.dossiers = finished.count()
        report.drafts = drafts.count()
        report.files = sum(
            DossierFile.objects.filter(dossier__in=qs.values("pk")).count()
            for qs in (finished, drafts)
        )
        return report
    report.access_records = access.delete()[1].get(PersonalDataAccess._meta.label, 0)
    with transaction.atomic():
        report.feedback = _anonymize_feedback(feedback)
    for kind, qs in (("dossiers", finished), ("drafts", drafts)):
        for pk in list(qs.values_list("pk", flat=True)):
            files = dossier_anonymize(dossier=pk, now=now)
            if files is None:
                report.skipped.append(str(Dossier.objects.get(pk=pk)))
                continue
            setattr(report, kind, getattr(report, kind) + 1)
            report.files += files
    return report
