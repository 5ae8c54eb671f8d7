"""What the scope matrix aims at, and who aims: dossiers, files, payments, feedback, accounts
and settings of one commune and its citizen, secret markers to look for in any answer, and
requesters who hold no scope over any of it."""

import contextlib
import io
import json
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from motcua.catalog.models import LifeEvent, OnlineLevel
from motcua.core.models import CalendarOverride
from motcua.dossiers import services
from motcua.dossiers.lifecycle import State
from motcua.dossiers.models import Delivery, Dossier, DossierEvent, DossierFile
from motcua.dossiers.services import online
from motcua.notify.models import Message
from motcua.org.models import Agency, Division, Role, RoleAssignment, Tier, Unit, User
from motcua.payments import services as payments
from motcua.payments.models import Payment
from motcua.portal import services as portal
from motcua.portal.models import Feedback, Rating, RatingCriterion, RatingLevel
from motcua.privacy import access
from motcua.privacy.models import Purpose
from tests.factories import AgencyFactory, DivisionFactory, UnitFactory, UserFactory
from tests.world import PDF, World

APPLICANT = {
    "name": "Phạm Thị Kín Đáo",
    "phone": "0909112233",
    "id_number": "079188000123",
    "email": "kin.dao@example.vn",
    "address": "Số 7 ngõ Mật Thư",
}
FILE_TOKEN = "MATRIX-SCAN-7731"
RESULT_TOKEN = "MATRIX-RESULT-4410"
FEEDBACK_TOKEN = "MATRIX-FEEDBACK-5521"
RATING_TOKEN = "MATRIX-RATING-9034"
RECEIPT = "BL-MATRIX-0042"
STAFF_SECRETS = {"full_name": "Lê Thị Nội Bộ", "email": "noibo.matrix@example.vn"}


def scan(token: str = FILE_TOKEN, name: str = "cccd.pdf") -> SimpleUploadedFile:
    """A PDF whose bytes carry `token`: a download of it shows the token."""
    body = PDF.replace(b"%%EOF", f"% {token}\n%%EOF".encode())
    return SimpleUploadedFile(name, body, content_type="application/pdf")


@dataclass
class Targets:
    world: World
    processing: Dossier  # received online, in processing, partly paid at the counter
    awaiting: Dossier  # waiting for the applicant's supplement
    ready: Dossier  # result ready, to be posted
    rejected: Dossier  # finished, not yet rated
    rated: Dossier  # finished and rated
    draft: Dossier  # the citizen's draft, invisible to staff
    input_file: DossierFile
    result_file: DossierFile
    draft_file: DossierFile
    payment: Payment
    feedback: Feedback
    staff_member: User  # an officer of the commune, for the admin's account pages
    admin_objects: dict  # model label -> the object of that model the matrix aims at
    requesters: dict  # label -> a user with no scope over the targets (None: anonymous)
    personas: dict  # who rightfully reaches each target: proves the arguments are real
    signing_batch: object = None  # the commune leader's batch of signatures
    extra_markers: dict = field(default_factory=dict)

    @property
    def dossiers(self) -> list[Dossier]:
        return [self.processing, self.awaiting, self.ready, self.rejected, self.rated, self.draft]

    def identity_markers(self) -> list[str]:
        """What tells who the applicant is: never shown to anyone outside the scope."""
        return [*APPLICANT.values(), FILE_TOKEN, RESULT_TOKEN]

    def secret_markers(self) -> list[str]:
        """Everything of the targets that a page outside their scope must not show."""
        codes = [d.code for d in self.dossiers if d.code]
        references = [str(d.reference) for d in self.dossiers]
        tokens = [FEEDBACK_TOKEN, RATING_TOKEN, RECEIPT]
        return [*self.identity_markers(), *codes, *references, *tokens]


def _online(world: World, *, delivery=Delivery.ELECTRONIC) -> Dossier:
    """A dossier the citizen submitted online with a scan, received and forwarded."""
    staff = world.staff
    draft = services.dossier_create_draft(
        owner=world.citizen,
        procedure=world.procedure,
        agency=world.commune_ubnd,
        applicant=APPLICANT,
        delivery=delivery,
        delivery_address=APPLICANT["address"] if delivery == Delivery.POST else "",
    )
    online.dossier_attach_files(
        owner=world.citizen,
        dossier=draft,
        component_id=world.procedure.components.get().pk,
        uploads=[scan()],
    )
    draft.refresh_from_db()
    d = services.dossier_submit(actor=world.citizen, dossier=draft).dossier
    d = services.dossier_receive(actor=staff[Role.RECEPTION_OFFICER], dossier=d).dossier
    return services.dossier_forward(actor=staff[Role.RECEPTION_OFFICER], dossier=d).dossier


def _result_ready(world: World) -> Dossier:
    s = world.staff
    d = _online(world, delivery=Delivery.POST)
    d = services.dossier_forward(actor=s[Role.SPECIALIST], dossier=d).dossier
    d = services.dossier_forward(actor=world.district_staff[Role.SPECIALIST], dossier=d).dossier
    d = services.dossier_approve(actor=s[Role.AGENCY_LEADER], dossier=d).dossier
    return services.dossier_mark_result_ready(
        actor=s[Role.RECEPTION_OFFICER], dossier=d, files=[scan(RESULT_TOKEN, "ket-qua.pdf")]
    ).dossier


def _rejected(world: World) -> Dossier:
    return services.dossier_reject(
        actor=world.staff[Role.AGENCY_LEADER], dossier=_online(world), reasons="Không đủ điều kiện"
    ).dossier


def _requesters(world: World) -> dict:
    """Every demo role held in another commune, the same roles held by one person, unit-wide
    roles of another district, another citizen and nobody."""
    other = world.other_ubnd
    found = {
        f"{role} of another commune": UserFactory(roles=[(role, other)], agency=other)
        for role in Role.values
    }
    found["every role in another commune"] = world.outsider
    district = UnitFactory(tier=Tier.DISTRICT, parent=world.province, name="Huyện Ngoài")
    AgencyFactory(unit=district, name="UBND huyện Ngoài", code="000.00.02.T98")
    for role in (Role.SUPERVISOR, Role.ADMINISTRATOR):
        found[f"{role} of another district"] = UserFactory(roles=[(role, district)])
    found["another citizen"] = UserFactory(is_staff=False, username="congdan-khac")
    found["anonymous"] = None
    return found


def build(world: World) -> Targets:
    s = world.staff
    # A full online service: the citizen submits, pays and receives the result online.
    world.procedure.online_level = OnlineLevel.FULL
    world.procedure.save(update_fields=["online_level"])
    processing = _online(world)
    payment = payments.payment_record_at_counter(
        actor=s[Role.RECEPTION_OFFICER],
        dossier=processing,
        amount=10000,
        method=Payment.Method.CASH,
        receipt_number=RECEIPT,
    )
    processing.refresh_from_db()
    awaiting = services.dossier_request_supplement(
        actor=s[Role.SPECIALIST], dossier=_online(world), missing_items=["Bản sao sổ hộ khẩu"]
    ).dossier
    ready = _result_ready(world)
    rejected = _rejected(world)
    rated = _rejected(world)
    level = RatingLevel.objects.order_by("order").first()
    portal.rate_dossier(
        dossier=rated,
        answers={c.code: level.code for c in RatingCriterion.objects.filter(is_active=True)},
        comment=f"Ý kiến riêng {RATING_TOKEN}",
        by=world.citizen,
        via=Rating.Via.ACCOUNT,
    )
    draft = services.dossier_create_draft(
        owner=world.citizen,
        procedure=world.procedure,
        agency=world.commune_ubnd,
        applicant=APPLICANT,
    )
    online.dossier_attach_files(
        owner=world.citizen,
        dossier=draft,
        component_id=world.procedure.components.get().pk,
        uploads=[scan()],
    )
    draft.refresh_from_db()
    feedback = portal.feedback_send(
        data={
            "title": "Phản ánh về thời gian giải quyết",
            "content": f"Nội dung chưa công khai {FEEDBACK_TOKEN}",
            "sender_name": APPLICANT["name"],
            "sender_phone": APPLICANT["phone"],
            "agency": world.commune_ubnd.pk,
        },
        sender=world.citizen,
    )
    member = UserFactory(
        roles=[(Role.CLERK, world.commune_ubnd)], agency=world.commune_ubnd, **STAFF_SECRETS
    )
    # A read of the applicant's data by the commune's officer, for the access log.
    request = RequestFactory().get(f"/can-bo/ho-so/{processing.code}/")
    request.user = s[Role.RECEPTION_OFFICER]
    access.record_read(request, purpose=Purpose.DOSSIER_PAGE, dossier=processing)
    supervisor = UserFactory(roles=[(Role.SUPERVISOR, world.district)])
    from motcua.dossiers.models import SigningBatch, SigningBatchItem

    batch = SigningBatch.objects.create(actor=s[Role.AGENCY_LEADER])
    SigningBatchItem.objects.create(batch=batch, dossier=processing, order=0)
    return Targets(
        signing_batch=batch,
        world=world,
        processing=processing,
        awaiting=awaiting,
        ready=ready,
        rejected=rejected,
        rated=rated,
        draft=draft,
        input_file=processing.files.get(purpose=DossierFile.Purpose.INPUT),
        result_file=ready.files.get(purpose=DossierFile.Purpose.RESULT),
        draft_file=draft.files.get(),
        payment=payment,
        feedback=feedback,
        staff_member=member,
        admin_objects=_admin_objects(world, member, payment, feedback, rated),
        requesters=_requesters(world),
        personas={
            "owner": world.citizen,
            "reception": s[Role.RECEPTION_OFFICER],
            "specialist": s[Role.SPECIALIST],
            "leader": s[Role.AGENCY_LEADER],
            "supervisor": supervisor,
            # The province's call centre: looks up every dossier, acts on none.
            "hotline": UserFactory(
                roles=[(Role.HOTLINE_OPERATOR, world.province)], username="tongdai-tinh"
            ),
            "superuser": UserFactory(is_superuser=True, username="quantri-tinh"),
        },
    )


def _admin_objects(world, member, payment, feedback, rated) -> dict:
    """An object of each model the admin edits, belonging to the commune or the province."""
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_tasks_db.models import DBTaskResult
    from rest_framework.authtoken.models import Token, TokenProxy

    from motcua.monitoring.models import BandScale
    from motcua.notify.models import Message, OptOut, Template
    from motcua.notify.tasks import deliver
    from motcua.signing.models import SigningIdentity

    task = deliver.enqueue(str(uuid.uuid4()))
    token = Token.objects.create(user=member)
    return {
        "auth.Group": Group.objects.create(name="Nhóm kín MATRIX"),
        "otp_totp.TOTPDevice": TOTPDevice.objects.create(
            user=member, name="may-kin-matrix", confirmed=True
        ),
        "org.Unit": world.commune,
        "org.Agency": world.commune_ubnd,
        "org.Division": DivisionFactory(agency=world.commune_ubnd, name="Phòng Kín Matrix"),
        "org.User": member,
        "org.RoleAssignment": RoleAssignment.objects.get(user=member),
        "core.CalendarOverride": CalendarOverride.objects.create(
            date=date(2031, 9, 3), kind=CalendarOverride.Kind.DAY_OFF, name="Nghỉ bù MATRIX"
        ),
        "catalog.Field": world.procedure.field,
        "catalog.LifeEvent": LifeEvent.objects.create(code="matrix", name="Sự kiện MATRIX"),
        "catalog.Procedure": world.procedure,
        "catalog.ProcessDefinition": world.procedure.processes.get(),
        "portal.RatingCriterion": RatingCriterion.objects.order_by("order").first(),
        "portal.RatingLevel": RatingLevel.objects.order_by("order").first(),
        "portal.Rating": Rating.objects.get(dossier=rated),
        "portal.Feedback": feedback,
        "payments.Payment": payment,
        "django_tasks_database.DBTaskResult": DBTaskResult.objects.get(pk=task.id),
        "monitoring.BandScale": BandScale.objects.first() or BandScale.objects.create(),
        "authtoken.TokenProxy": TokenProxy.objects.get(pk=token.pk),
        "notify.Template": Template.objects.order_by("pk").first(),
        "notify.Message": Message.objects.filter(dossier__receiving_agency=world.commune_ubnd)
        .order_by("created_at")
        .first(),
        "notify.OptOut": OptOut.objects.create(channel="sms", address="84900000123"),
        # The commune's seal: its certificate's details are the province's to see, not others'.
        "signing.SigningIdentity": SigningIdentity.objects.create(
            agency=world.commune_ubnd,
            kind="pkcs12",
            config={"path": "seals/matrix.p12", "passphrase_env": "MATRIX_PASSPHRASE"},
            label="Chữ ký số cơ quan MATRIX",
            certificate_serial="5EA1AA7121C0FFEE",
        ),
    }


def admin_markers(label: str, obj) -> list[str]:
    """What the admin's pages of `obj` show that the lists and other pages must not."""
    special = {
        "org.User": lambda: list(STAFF_SECRETS.values()),
        "org.RoleAssignment": lambda: [STAFF_SECRETS["full_name"]],
        "otp_totp.TOTPDevice": lambda: [obj.name, obj.key],
        "authtoken.TokenProxy": lambda: [obj.key],
        "portal.Rating": lambda: [RATING_TOKEN],
        "portal.Feedback": lambda: [FEEDBACK_TOKEN, APPLICANT["name"]],
        "payments.Payment": lambda: [RECEIPT],
        "django_tasks_database.DBTaskResult": lambda: [str(obj.pk)],
    }
    return special[label]() if label in special else [str(obj)]


def snapshot(t: Targets) -> dict:
    """Every row a request could change on the targets' behalf (reads are recorded
    elsewhere, in the access log, and are not changes)."""
    ids = [d.pk for d in t.dossiers]
    rows = {
        "dossiers": list(Dossier.objects.filter(pk__in=ids).order_by("pk").values()),
        "files": list(DossierFile.objects.filter(dossier_id__in=ids).values_list("pk", flat=True)),
        "events": DossierEvent.objects.filter(dossier_id__in=ids).count(),
        "payments": list(Payment.objects.filter(dossier_id__in=ids).order_by("pk").values()),
        "ratings": Rating.objects.filter(dossier_id__in=ids).count(),
        "messages": Message.objects.filter(dossier_id__in=ids).count(),
        "feedback": list(Feedback.objects.filter(pk=t.feedback.pk).values()),
        # A citizen's own new draft there is his, not a reception.
        "dossiers received at the commune": Dossier.objects.filter(
            receiving_agency=t.world.commune_ubnd
        )
        .exclude(state=State.DRAFT)
        .count(),
        "units": list(Unit.objects.order_by("pk").values()),
        "agencies": list(Agency.objects.order_by("pk").values()),
        "divisions": list(Division.objects.order_by("pk").values()),
        "role assignments": list(RoleAssignment.objects.order_by("pk").values()),
        "officer": list(
            User.objects.filter(pk=t.staff_member.pk).values(
                "full_name", "email", "is_active", "is_staff", "is_superuser", "password"
            )
        ),
    }
    for label, obj in t.admin_objects.items():
        rows[label] = list(type(obj)._default_manager.filter(pk=obj.pk).values())
    return rows


def changed(before: dict, after: dict) -> list[str]:
    return [key for key in before if before[key] != after[key]]


# --- what an answer shows ------------------------------------------------------------------


def shown_text(response) -> str:
    """The text a person would read in the answer: the page, the JSON, or the text inside a
    PDF, a spreadsheet or a ZIP (recursively)."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    parts = _texts(raw)
    if "json" in response.get("Content-Type", ""):
        with contextlib.suppress(ValueError):
            parts.append(json.dumps(json.loads(raw), ensure_ascii=False))
    return unicodedata.normalize("NFC", "\n".join(parts))


def _texts(raw: bytes, depth: int = 0) -> list[str]:
    parts = [raw.decode("utf-8", "replace")]
    if depth > 2:
        return parts
    if raw.startswith(b"%PDF"):
        # The test scans are a few bytes, not whole PDFs: their bytes are read above.
        with contextlib.suppress(PyPdfError):
            parts += [page.extract_text() or "" for page in PdfReader(io.BytesIO(raw)).pages]
    elif raw.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            for name in archive.namelist():
                parts += _texts(archive.read(name), depth + 1)
    return parts


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def markers_in(text: str, markers) -> list[str]:
    """The markers the text shows, also where a PDF's layout broke them across lines."""
    squashed = _squash(text)
    return [m for m in markers if m and (m in text or _squash(m) in squashed)]
