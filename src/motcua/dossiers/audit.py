"""The hash chain over each dossier's events: any edit or deletion breaks it visibly.

Each event stores the hash of the previous event of the same dossier and the SHA-256 of its
own content joined to that previous hash; the dossier row keeps the newest hash, so removing
the last event is caught too. A chain per dossier lets officers act on different dossiers
without queueing on one global lock.

When a dossier's retention period ends, its events' personal content (the applicant's name
as actor, notes, file names) is blanked. The chain is not rewritten: every event keeps the
hash it was written with, so the links still hold, and an `anonymize` event appended after
them records, for each blanked event, the hash of its new content on the same previous hash.
A blanked event is then checked against that record, and any later edit of it still shows.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from .models import Dossier, DossierEvent


def event_content(event: DossierEvent) -> dict:
    return {
        "dossier": str(event.dossier.reference),
        "seq": event.seq,
        "action": event.action,
        "from": event.from_state,
        "to": event.to_state,
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "actor_agency": event.actor_agency_id,
        # In UTC: the database hands times back in UTC whatever zone they were written in.
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "note": event.note,
        "step": event.step_id,
        "data": event.data,
    }


def event_hash(event: DossierEvent) -> str:
    canonical = json.dumps(event_content(event), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256((event.prev_hash + canonical).encode("utf-8")).hexdigest()


@dataclass
class AuditProblem:
    dossier: str
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.dossier} #{self.seq}" if self.seq is not None else self.dossier
        return f"{where}: {self.message}"


REDACTION = "anonymize"


def redactions(events: list[DossierEvent]) -> dict[int, str]:
    """The content hashes that `anonymize` events vouch for, by the seq of an earlier event."""
    vouched: dict[int, str] = {}
    for event in events:
        if event.action != REDACTION:
            continue
        for seq, digest in (event.data.get("redacted") or {}).items():
            if str(seq).isdigit() and int(seq) < event.seq:
                vouched[int(seq)] = str(digest)
    return vouched


def verify_dossier(dossier: Dossier, events: list[DossierEvent]) -> list[AuditProblem]:
    problems: list[AuditProblem] = []
    name = dossier.code or str(dossier.reference)
    previous = ""
    vouched = redactions(events)
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            problems.append(AuditProblem(name, expected_seq, "sự kiện bị xóa (thiếu số thứ tự)"))
            expected_seq = event.seq
        if event.prev_hash != previous:
            problems.append(AuditProblem(name, event.seq, "mắt xích với sự kiện trước bị đứt"))
        content = event_hash(event)
        if content != event.hash and content != vouched.get(event.seq):
            problems.append(AuditProblem(name, event.seq, "nội dung sự kiện đã bị sửa"))
        previous = event.hash
    if previous != dossier.event_head:
        problems.append(AuditProblem(name, None, "sự kiện cuối cùng bị xóa hoặc bị thay"))
    return problems


def verify_all(batch: int = 500):
    """Yield every problem found across all dossiers, reading in batches."""
    last_id = 0
    while True:
        dossiers = list(Dossier.objects.filter(pk__gt=last_id).order_by("pk")[:batch])
        if not dossiers:
            return
        by_dossier: dict[int, list[DossierEvent]] = {d.pk: [] for d in dossiers}
        for event in (
            DossierEvent.objects.filter(dossier_id__in=by_dossier)
            .select_related("dossier")
            .order_by("dossier_id", "seq")
        ):
            by_dossier[event.dossier_id].append(event)
        for dossier in dossiers:
            yield from verify_dossier(dossier, by_dossier[dossier.pk])
        last_id = dossiers[-1].pk
