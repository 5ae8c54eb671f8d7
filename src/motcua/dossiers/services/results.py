"""The electronic result before it is handed over: attached while the dossier is processed,
signed by a leader (motcua.signing), then registered as ready.

Signing happens outside the transaction: a remote key waits for the signer's approval on his
phone, and no dossier stays locked meanwhile. The signed copies are then stored as new
versions of the result files, with their event, in one transaction under the dossier's lock,
and only if nothing changed in between (else Conflict: nothing is stored)."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from motcua.org.models import Role
from motcua.org.permissions import can, register

from ..errors import Conflict, InvalidInput, NotAllowed
from ..files import CheckedFile, store
from ..lifecycle import State
from ..models import Dossier, DossierFile
from .core import lock, now_or, record

ATTACH_RESULT = register(
    "dossier.attach_result",
    [Role.SPECIALIST, Role.DIVISION_HEAD, Role.AGENCY_LEADER, Role.CLERK],
)
# Those who approve sign what they approve.
SIGN_RESULT = register("dossier.sign_result", [Role.DIVISION_HEAD, Role.AGENCY_LEADER])


def current_results(dossier: Dossier):
    """The result files as they stand: each one's latest version."""
    return dossier.files.filter(
        purpose=DossierFile.Purpose.RESULT, superseded_by__isnull=True
    ).order_by("uploaded_at", "pk")


def unsigned_results(dossier: Dossier, files=None) -> list[DossierFile]:
    """The PDFs of the result (`files`, read when not given) that carry no valid signature
    yet: what a leader signs."""
    files = current_results(dossier) if files is None else files
    return [f for f in files if f.content_type == "application/pdf" and not f.is_signed]


def signature_refusal(dossier: Dossier) -> str | None:
    """Why the result may not be registered as ready for want of a signature, or None."""
    if not dossier.procedure.signed_result_required:
        return None
    results = list(current_results(dossier))
    if not results:
        return None  # mark_result_ready asks for the file itself
    if any(f.content_type != "application/pdf" or not f.is_signed for f in results):
        return _(
            "Thủ tục này yêu cầu kết quả điện tử có ký số: lãnh đạo ký số bản PDF của kết quả "
            "trước khi báo có kết quả."
        )
    return None


def may_sign(actor, dossier: Dossier) -> bool:
    return dossier.state == State.PROCESSING and can(actor, SIGN_RESULT, dossier.permission_scope())


def dossier_attach_result(
    *, actor, dossier: Dossier, files, note="", expected_version=None, now=None
):
    """Attach the electronic result (its draft, to be signed) while the dossier is processed."""
    from .reception import _store_inputs

    now = now_or(now)
    if not files:
        raise InvalidInput({"files": [_("Chọn tệp kết quả cần đính kèm.")]})
    with transaction.atomic():
        dossier = lock(dossier, expected_version)
        if not can(actor, ATTACH_RESULT, dossier.permission_scope()):
            raise PermissionDenied(_("Bạn không được đính kèm kết quả của hồ sơ này."))
        if dossier.state != State.PROCESSING:
            raise NotAllowed(_("Chỉ đính kèm kết quả khi hồ sơ đang được giải quyết."))
        stored = _store_inputs(dossier, files, actor, purpose=DossierFile.Purpose.RESULT)
        record(
            dossier,
            "attach_result",
            actor,
            from_state=dossier.state,
            now=now,
            note=note,
            data={"files": [f.sha256 for f in stored]},
        )
    return stored


@dataclass
class SigningResult:
    """What signing a dossier's result did: the signed versions stored, or why not."""

    dossier: Dossier
    signed: list[DossierFile] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.signed) and not self.error


def prepare_signing(actor, dossier: Dossier, identity=None) -> tuple[list[DossierFile], object]:
    """The files to sign and the actor's key (`identity`, read when not given), or the reason
    he cannot sign now."""
    from motcua.signing.selectors import signing_identity_of_user

    if not may_sign(actor, dossier):
        if dossier.state != State.PROCESSING:
            raise NotAllowed(_("Chỉ ký số kết quả khi hồ sơ đang được giải quyết."))
        raise PermissionDenied(_("Bạn không được ký số kết quả của hồ sơ này."))
    files = unsigned_results(dossier)
    if not files:
        raise NotAllowed(_("Hồ sơ không có bản PDF nào của kết quả đang chờ ký số."))
    identity = identity or signing_identity_of_user(actor)
    if identity is None:
        raise NotAllowed(
            _(
                "Bạn chưa có khóa ký số trên hệ thống. Đề nghị quản trị viên đăng ký chứng thư "
                "số của bạn (tệp PKCS#12, thiết bị ký hoặc dịch vụ ký số từ xa)."
            )
        )
    return files, identity


def _contents(files: list[DossierFile]) -> list[bytes]:
    contents = []
    for f in files:
        with f.file.open("rb") as stored:
            contents.append(stored.read())
    return contents


def _requests(dossier: Dossier, contents: list[bytes]):
    from motcua.signing.pades import requests_for

    location = dossier.current_agency.name if dossier.current_agency_id else ""
    reason = _("Ký duyệt kết quả giải quyết hồ sơ %(code)s") % {"code": dossier.code}
    return requests_for(contents, reason=reason, location=location)


def _fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_related("procedure", "current_agency").get(pk=dossier.pk)


def dossier_sign_results(*, actor, dossier: Dossier, expected_version=None, now=None):
    """Sign every unsigned PDF of the dossier's result with the actor's own key."""
    from motcua.signing.errors import SigningError
    from motcua.signing.pades import sign_pdfs

    dossier = _fresh(dossier)
    if expected_version is not None and dossier.version != expected_version:
        raise Conflict()
    files, identity = prepare_signing(actor, dossier)
    try:
        outcomes = sign_pdfs(_requests(dossier, _contents(files)), identity)
    except SigningError as exc:
        return SigningResult(dossier, error=str(exc))
    failed = [o for o in outcomes if not o.ok]
    if failed:
        return SigningResult(dossier, error=failed[0].error)
    return _store_signed(actor, dossier, files, [o.signed for o in outcomes], now_or(now))


def sign_batch(batch, *, now=None) -> None:
    """Sign the results of a batch's dossiers with its actor's key, in one signing session
    (one approval on the phone for a remote key), recording each dossier's outcome as it
    ends; the batch's progress is what the leader's page shows meanwhile."""
    from django.utils import timezone

    from motcua.signing.errors import SigningError
    from motcua.signing.pades import sign_pdfs
    from motcua.signing.selectors import signing_identity_of_user

    from ..models import SigningBatch, SigningBatchItem

    W = SigningBatchItem.Status
    items = list(batch.items.filter(status=W.WAITING).select_related("dossier"))
    SigningBatch.objects.filter(pk=batch.pk).update(status=SigningBatch.Status.RUNNING)
    prepared, requests = [], []
    identity = signing_identity_of_user(batch.actor)  # one key for the whole batch

    def fail(item, message):
        item.status, item.message, item.finished_at = W.FAILED, str(message)[:500], timezone.now()
        item.save(update_fields=["status", "message", "finished_at"])

    for item in items:
        try:
            dossier = _fresh(item.dossier)
            files, _key = prepare_signing(batch.actor, dossier, identity)
            mine = _requests(dossier, _contents(files))
        except (NotAllowed, PermissionDenied, OSError) as exc:
            fail(item, getattr(exc, "message", None) or str(exc))
            continue
        prepared.append((item, dossier, files, len(requests), len(mine)))
        requests += mine
    if prepared:
        try:
            outcomes = sign_pdfs(requests, identity)
        except SigningError as exc:
            outcomes = None
            for item, *_rest in prepared:
                fail(item, exc)
        for item, dossier, files, first, count in prepared if outcomes else []:
            mine = outcomes[first : first + count]
            broken = next((o for o in mine if not o.ok), None)
            if broken is not None:
                fail(item, broken.error)
                continue
            try:
                _store_signed(batch.actor, dossier, files, [o.signed for o in mine], now_or(now))
            except Conflict as exc:
                fail(item, exc.message)
                continue
            item.status, item.files, item.finished_at = W.SIGNED, len(files), timezone.now()
            item.save(update_fields=["status", "files", "finished_at"])
    SigningBatch.objects.filter(pk=batch.pk).update(
        status=SigningBatch.Status.DONE, finished_at=timezone.now()
    )


def signing_batch_create(*, actor, dossiers):
    """Queue the signing of these dossiers' results; the task signs them (tasks.py)."""
    from motcua.signing.selectors import signing_identity_of_user

    from ..models import SigningBatch, SigningBatchItem
    from ..tasks import sign_result_batch

    dossiers = list(dict.fromkeys(dossiers))
    if not dossiers:
        raise InvalidInput({"ho_so": [_("Chọn ít nhất một hồ sơ để ký số.")]})
    if signing_identity_of_user(actor) is None:
        raise NotAllowed(
            _(
                "Bạn chưa có khóa ký số trên hệ thống. Đề nghị quản trị viên đăng ký chứng thư "
                "số của bạn (tệp PKCS#12, thiết bị ký hoặc dịch vụ ký số từ xa)."
            )
        )
    with transaction.atomic():
        batch = SigningBatch.objects.create(actor=actor)
        SigningBatchItem.objects.bulk_create(
            [SigningBatchItem(batch=batch, dossier=d, order=i) for i, d in enumerate(dossiers)]
        )
        transaction.on_commit(lambda: sign_result_batch.enqueue(str(batch.pk)))
    return batch


def _store_signed(actor, dossier, originals, signed, now) -> SigningResult:
    with transaction.atomic():
        locked = lock(dossier, dossier.version)  # changed while signing: Conflict
        if [f.pk for f in unsigned_results(locked)] != [f.pk for f in originals]:
            raise Conflict()
        stored = []
        for original, copy in zip(originals, signed, strict=True):
            checked = CheckedFile(
                name=original.original_name,
                kind="pdf",
                content_type="application/pdf",
                size=len(copy.pdf),
                sha256=copy.sha256_after,
                content=copy.pdf,
            )
            stored.append(
                store(
                    locked,
                    checked,
                    purpose=DossierFile.Purpose.RESULT,
                    actor=actor,
                    component=original.component,
                    supersedes=original,
                )
            )
        record(
            locked,
            "sign_result",
            actor,
            from_state=locked.state,
            now=now,
            data={
                "signatures": [
                    {"file": f.pk, **s.as_dict()} for f, s in zip(stored, signed, strict=True)
                ]
            },
        )
    return SigningResult(locked, signed=stored)
