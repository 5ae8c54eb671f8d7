"""The applicant's own writes to an online dossier: filling in the draft, attaching and removing
its files, and submitting it once it is complete.

A draft belongs to its owner alone. Each file is stored the moment it arrives (its own request
and transaction), so a slow or broken connection, or a mistake in another field, never loses
what was already uploaded.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from motcua.catalog.models import OnlineLevel

from ..errors import InvalidInput, NotAllowed
from ..lifecycle import State
from ..models import Delivery, Dossier, DossierFile
from .core import ActionResult, begin, finish, lock, now_or, record
from .reception import _applicant_values, _store_inputs


def delivery_choices(procedure) -> list[str]:
    """How the result may reach the applicant: electronically only for a full online service
    (Decree 42/2022: submission, payment and result all online)."""
    choices = [Delivery.COUNTER, Delivery.POST]
    if procedure.online_level == OnlineLevel.FULL:
        choices.insert(0, Delivery.ELECTRONIC)
    return choices


def _own_draft(owner, dossier: Dossier) -> Dossier:
    locked = lock(dossier)
    if locked.owner_id is None or locked.owner_id != owner.pk:
        raise PermissionDenied(_("Đây không phải hồ sơ của bạn."))
    if locked.state != State.DRAFT:
        raise NotAllowed(_("Hồ sơ đã nộp, không sửa được nữa."))
    return locked


def _check_delivery(procedure, delivery: str, address: str) -> None:
    if delivery not in delivery_choices(procedure):
        raise InvalidInput({"delivery": [_("Thủ tục này không trả kết quả theo cách đã chọn.")]})
    if delivery == Delivery.POST and not address.strip():
        raise InvalidInput({"delivery_address": [_("Nhập địa chỉ nhận kết quả qua bưu chính.")]})


def dossier_update_draft(
    *,
    owner,
    dossier: Dossier,
    applicant: dict,
    delivery: str,
    delivery_address: str = "",
    summary: str = "",
    now=None,
) -> Dossier:
    """Save what the applicant typed; nothing is saved when any of it is wrong."""
    now = now_or(now)
    values = _applicant_values(applicant)
    with transaction.atomic():
        draft = _own_draft(owner, dossier)
        _check_delivery(draft.procedure, delivery, delivery_address)
        for field, value in values.items():
            setattr(draft, field, value)
        draft.delivery = delivery
        draft.delivery_address = delivery_address.strip() if delivery == Delivery.POST else ""
        draft.summary = summary.strip()[:500]
        record(draft, "edit_draft", owner, from_state=State.DRAFT, now=now)
    return draft


def dossier_attach_files(*, owner, dossier: Dossier, component_id, uploads, now=None):
    """Store files for one component of the draft; returns the stored files."""
    now = now_or(now)
    if not uploads:
        raise InvalidInput({"files": [_("Chọn tệp để tải lên.")]})
    with transaction.atomic():
        draft = _own_draft(owner, dossier)
        stored = _store_inputs(draft, [(component_id, u) for u in uploads], owner)
        record(
            draft,
            "attach_files",
            owner,
            from_state=State.DRAFT,
            now=now,
            data={"files": [f.sha256 for f in stored]},
        )
    return stored


def dossier_detach_file(*, owner, dossier: Dossier, file_id: int, now=None) -> None:
    """Remove a file from the draft (a draft is not yet an official record)."""
    now = now_or(now)
    with transaction.atomic():
        draft = _own_draft(owner, dossier)
        stored = DossierFile.objects.filter(dossier=draft, pk=file_id).first()
        if stored is None:
            raise InvalidInput({"files": [_("Không tìm thấy tệp này trong hồ sơ.")]})
        record(
            draft,
            "detach_file",
            owner,
            from_state=State.DRAFT,
            now=now,
            data={"removed": stored.sha256, "name": stored.original_name},
        )
        path, storage = stored.file.name, stored.file.storage
        stored.delete()
        # The stored bytes go once the removal is committed, never before.
        transaction.on_commit(lambda: storage.delete(path))


def missing_for_submission(dossier: Dossier) -> dict[str, list[str]]:
    """Everything that stops the draft from being submitted, per field, all at once."""
    errors: dict[str, list[str]] = {}
    attached = set(
        dossier.files.filter(purpose=DossierFile.Purpose.INPUT).values_list(
            "component_id", flat=True
        )
    )
    missing = [
        c.name for c in dossier.procedure.components.all() if c.required and c.pk not in attached
    ]
    if missing:
        errors["files"] = [_("Còn thiếu: %(items)s.") % {"items": "; ".join(missing)}]
    if not dossier.applicant_phone and not dossier.applicant_email:
        errors["applicant.phone"] = [
            _("Nhập số điện thoại hoặc thư điện tử để nhận thông báo về hồ sơ.")
        ]
    try:
        _check_delivery(dossier.procedure, dossier.delivery, dossier.delivery_address)
    except InvalidInput as exc:
        errors.update(exc.fields)
    if dossier.procedure.online_level == OnlineLevel.INFO:
        errors["procedure"] = [_("Thủ tục này chưa nhận hồ sơ trực tuyến.")]
    return errors


def dossier_submit_online(*, owner, dossier: Dossier, expected_version=None, now=None):
    """Submit the applicant's draft once it is complete; it then waits for a reception officer."""
    now = now_or(now)
    with transaction.atomic():
        draft, t = begin("submit", owner, dossier, expected_version)
        errors = missing_for_submission(draft)
        if errors:
            raise InvalidInput(errors)
        draft.submitted_at = now
        result: ActionResult = finish(draft, t, owner, now)
    return result
