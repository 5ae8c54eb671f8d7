"""Everything motcua holds about one person, as a ZIP (a data-subject request, Decree 13/2023).

For the signed-in citizen: the account, the dossiers it owns (with events, files, payments,
rating), the feedback it sent and the record of staff reads. For a supervisor or
administrator answering a request by ID number: the dossiers of that number within his scope
and, when his scope is the whole province, the accounts of that number; the answer is itself
recorded as a read of the person's data.
"""

import json
import tempfile
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import visible_dossiers
from motcua.org.models import User
from motcua.org.permissions import PROVINCE_WIDE, can
from motcua.payments.models import Payment
from motcua.portal.models import CitizenProfile, Feedback, Rating

from .access import accesses_of_person, record_read
from .models import PersonalDataAccess, Purpose
from .permissions import SUBJECT_EXPORT


@dataclass
class SubjectData:
    accounts: list[User] = field(default_factory=list)
    dossiers: list[Dossier] = field(default_factory=list)
    feedback: list[Feedback] = field(default_factory=list)
    accesses: list[PersonalDataAccess] = field(default_factory=list)


def _dossiers(qs: QuerySet[Dossier]) -> list[Dossier]:
    return list(qs.select_related("procedure", "receiving_agency", "current_agency").order_by("pk"))


def of_account(user) -> SubjectData:
    return SubjectData(
        accounts=[user],
        dossiers=_dossiers(Dossier.objects.filter(owner=user)),
        feedback=list(Feedback.objects.filter(sender=user).order_by("pk")),
        accesses=list(accesses_of_person(user)),
    )


def of_id_number(officer, id_number: str) -> SubjectData:
    """What `officer` may hand over about the person with `id_number`."""
    if not can(officer, SUBJECT_EXPORT):
        raise PermissionDenied(_("Bạn không có quyền trích xuất dữ liệu cá nhân."))
    number = "".join(ch for ch in id_number if ch.isalnum())[:20]
    dossiers = visible_dossiers(officer, SUBJECT_EXPORT).filter(applicant_id_number=number)
    data = SubjectData(dossiers=_dossiers(dossiers) if number else [])
    if number and can(officer, SUBJECT_EXPORT, PROVINCE_WIDE):
        profiles = CitizenProfile.objects.filter(id_number=number).select_related("user")
        data.accounts = [p.user for p in profiles]
        for account in data.accounts:
            own = of_account(account)
            known = {d.pk for d in data.dossiers}
            data.dossiers += [d for d in own.dossiers if d.pk not in known]
            data.feedback += own.feedback
            data.accesses += own.accesses
    return data


def _account(user) -> dict:
    profile = CitizenProfile.objects.filter(user=user).first()
    return {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "profile": profile
        and {
            "kind": profile.kind,
            "id_number": profile.id_number,
            "address": profile.address,
            "identity_provider": profile.identity_provider,
            "created_at": profile.created_at,
        },
    }


def _dossier(d: Dossier) -> dict:
    rating = Rating.objects.filter(dossier=d).prefetch_related("answers__criterion").first()
    return {
        "code": d.code,
        "reference": str(d.reference),
        "procedure": d.procedure.name,
        "state": d.get_state_display(),
        "applicant": {
            "name": d.applicant_name,
            "id_number": d.applicant_id_number,
            "phone": d.applicant_phone,
            "email": d.applicant_email,
            "address": d.applicant_address,
        },
        "summary": d.summary,
        "receiving_agency": d.receiving_agency.name,
        "current_agency": d.current_agency.name,
        "delivery": d.get_delivery_display(),
        "delivery_address": d.delivery_address,
        "submitted_at": d.submitted_at,
        "received_at": d.received_at,
        "due_at": d.due_at,
        "finished_at": d.finished_at,
        "result_summary": d.result_summary,
        "fee_due": d.fee_due,
        "fee_paid": d.fee_paid,
        "events": [
            {"at": e.at, "what": e.label, "by": e.actor_name, "note": e.note}
            for e in d.events.order_by("seq")
        ],
        "files": [
            {"name": f.original_name, "purpose": f.get_purpose_display(), "sha256": f.sha256}
            for f in d.files.order_by("pk")
        ],
        "payments": [
            {
                "amount": p.amount,
                "method": p.get_method_display(),
                "status": p.get_status_display(),
                "paid_at": p.paid_at,
                "receipt_number": p.receipt_number,
            }
            for p in Payment.objects.filter(dossier=d).order_by("pk")
        ],
        "rating": rating
        and {
            "at": rating.at,
            "comment": rating.comment,
            "answers": {str(a.criterion): str(a.level) for a in rating.answers.all()},
        },
    }


def _feedback(f: Feedback) -> dict:
    return {
        "title": f.title,
        "content": f.content,
        "sender_name": f.sender_name,
        "sender_phone": f.sender_phone,
        "sender_email": f.sender_email,
        "created_at": f.created_at,
        "answer": f.answer,
        "answered_at": f.answered_at,
    }


def _access(a: PersonalDataAccess) -> dict:
    return {
        "at": a.at,
        "officer": a.user_name,
        "agency": a.agency.name if a.agency_id else "",
        "roles": a.roles,
        "purpose": a.get_purpose_display(),
        "dossier": a.dossier.code if a.dossier_id else None,
        "count": a.count,
    }


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def build_zip(data: SubjectData):
    """The ZIP in a temporary file (files can be large), positioned at its start."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 -- handed to the response, which closes it
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "README.txt",
            _("Dữ liệu cá nhân do hệ thống Một cửa lưu giữ, trích xuất lúc %(t)s.")
            % {"t": timezone.localtime().strftime("%H:%M %d/%m/%Y")},
        )
        z.writestr("tai-khoan.json", _json([_account(u) for u in data.accounts]))
        z.writestr("ho-so.json", _json([_dossier(d) for d in data.dossiers]))
        z.writestr("phan-anh.json", _json([_feedback(f) for f in data.feedback]))
        z.writestr("truy-cap.json", _json([_access(a) for a in data.accesses]))
        for d in data.dossiers:
            folder = get_valid_filename(d.code or str(d.reference))
            for f in d.files.order_by("pk"):
                if not f.file.name:
                    continue  # erased at the end of its retention period
                with f.file.open("rb") as source:
                    name = get_valid_filename(f.original_name) or "tep"
                    z.writestr(f"tep/{folder}/{f.pk}-{name}", source.read())
    out.seek(0)
    return out


def export_for_officer(request, id_number: str):
    """The ZIP a supervisor or administrator hands over; recorded as a read of the person."""
    data = of_id_number(request.user, id_number)
    out = build_zip(data)
    record_read(
        request,
        purpose=Purpose.SUBJECT_EXPORT,
        dossiers=[d.pk for d in data.dossiers],
        subject=data.accounts[0] if data.accounts else None,
        count=len(data.dossiers),
        action=SUBJECT_EXPORT,
    )
    return out, data
