"""A small province for dossier tests (a pytest plugin, loaded by tests/conftest.py): a commune,
its district, staff for every role, and a procedure handed over to the district and back."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.catalog.models import ProcessStep
from motcua.dossiers import ownership, services
from motcua.dossiers.lifecycle import APPLICANT, State
from motcua.dossiers.models import Dossier, DossierStep
from motcua.org.models import Agency, Role, Tier
from motcua.org.selectors import active_assignments
from tests.factories import (
    AgencyFactory,
    ComponentFactory,
    FeeFactory,
    ProcedureFactory,
    ProcessDefinitionFactory,
    ProcessStepFactory,
    UnitFactory,
    UserFactory,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name="ket-qua.pdf", body=PDF):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


@dataclass
class World:
    province: object
    district: object
    commune: object
    commune_ubnd: Agency
    district_ubnd: Agency
    other_ubnd: Agency
    procedure: object
    staff: dict
    district_staff: dict
    outsider: object
    citizen: object

    def actor(self, role):
        return self.citizen if role == "applicant" else self.staff[role]

    def receive(self, now=None, **kw):
        applicant = kw.pop(
            "applicant",
            {
                "name": "Nguyễn Văn Bình",
                "phone": "0912345678",
                "id_number": "079123456789",
                "email": "binh@example.vn",
            },
        )
        return services.dossier_receive_at_counter(
            actor=self.staff[Role.RECEPTION_OFFICER],
            procedure=self.procedure,
            agency=self.commune_ubnd,
            applicant=applicant,
            now=now,
            **kw,
        ).dossier

    def draft(self):
        return services.dossier_create_draft(
            owner=self.citizen,
            procedure=self.procedure,
            agency=self.commune_ubnd,
            applicant={"name": "Trần Thị Cúc", "phone": "0987654321"},
        )


@pytest.fixture
def world(db) -> World:
    province = UnitFactory(tier=Tier.PROVINCE, name="Tỉnh Thử")
    district = UnitFactory(tier=Tier.DISTRICT, parent=province, name="Huyện Thử")
    commune = UnitFactory(tier=Tier.COMMUNE, parent=district, name="Xã Thử")
    other = UnitFactory(tier=Tier.COMMUNE, parent=district, name="Xã Khác")
    commune_ubnd = AgencyFactory(unit=commune, name="UBND xã Thử", code="000.01.01.T99")
    district_ubnd = AgencyFactory(unit=district, name="UBND huyện Thử", code="000.00.01.T99")
    other_ubnd = AgencyFactory(unit=other, name="UBND xã Khác", code="000.02.01.T99")
    procedure = ProcedureFactory(name="Thủ tục thử nghiệm liên thông", processing_time=Decimal(3))
    procedure.agencies.set([commune_ubnd])
    ComponentFactory(procedure=procedure, name="Tờ khai")
    FeeFactory(procedure=procedure, amount=20000)
    process = ProcessDefinitionFactory(procedure=procedure)
    for order, (name, role, budget, handover) in enumerate(
        [
            ("Tiếp nhận", Role.RECEPTION_OFFICER, "0.5", ""),
            ("Thẩm định", Role.SPECIALIST, "1", ""),
            ("Xác nhận của huyện", Role.SPECIALIST, "0.5", ProcessStep.Handover.DISTRICT),
            ("Ký duyệt", Role.AGENCY_LEADER, "0.5", ""),
            ("Trả kết quả", Role.RECEPTION_OFFICER, "0.5", ""),
        ],
        start=1,
    ):
        ProcessStepFactory(
            process=process,
            order=order,
            name=name,
            role=role,
            budget=Decimal(budget),
            handover=handover,
        )
    staff = {
        role: UserFactory(roles=[(role, commune_ubnd)], agency=commune_ubnd) for role in Role.values
    }
    district_staff = {
        role: UserFactory(roles=[(role, district_ubnd)], agency=district_ubnd)
        for role in Role.values
    }
    outsider = UserFactory(roles=[(r, other_ubnd) for r in Role.values], agency=other_ubnd)
    citizen = UserFactory(is_staff=False, username="congdan")
    return World(
        province,
        district,
        commune,
        commune_ubnd,
        district_ubnd,
        other_ubnd,
        procedure,
        staff,
        district_staff,
        outsider,
        citizen,
    )


def at(text: str) -> datetime:
    """'2026-03-02 09:00' in Vietnam's time zone."""
    from django.utils import timezone

    return timezone.make_aware(datetime.fromisoformat(text))


def bring_to(world: World, state: str):
    """A dossier in `state`, made only through the services."""
    w, s = world, world.staff
    if state == State.DRAFT:
        return w.draft()
    if state in (State.SUBMITTED, State.NOT_RECEIVED):
        d = w.draft()
        d = services.dossier_submit(actor=w.citizen, dossier=d).dossier
        if state == State.NOT_RECEIVED:
            d = services.dossier_refuse_reception(
                actor=s[Role.RECEPTION_OFFICER], dossier=d, reasons="Không thuộc thẩm quyền"
            ).dossier
        return d
    d = w.receive()
    if state == State.RECEIVED:
        return d
    d = services.dossier_forward(actor=s[Role.RECEPTION_OFFICER], dossier=d).dossier
    if state == State.PROCESSING:
        return d
    if state == State.AWAITING_SUPPLEMENT:
        return services.dossier_request_supplement(
            actor=s[Role.SPECIALIST], dossier=d, missing_items=["Bản sao sổ hộ khẩu"]
        ).dossier
    if state == State.SUSPENDED:
        return services.dossier_suspend(
            actor=s[Role.AGENCY_LEADER], dossier=d, reasons="Chờ xác minh"
        ).dossier
    if state == State.REJECTED:
        return services.dossier_reject(
            actor=s[Role.AGENCY_LEADER], dossier=d, reasons="Không đủ điều kiện"
        ).dossier
    if state == State.WITHDRAWN:
        return services.dossier_withdraw(
            actor=s[Role.RECEPTION_OFFICER], dossier=d, reasons="Người nộp xin rút"
        ).dossier
    # Through the district (liên thông) and back to the commune's leader for approval.
    d = services.dossier_forward(actor=s[Role.SPECIALIST], dossier=d).dossier
    d = services.dossier_forward(actor=w.district_staff[Role.SPECIALIST], dossier=d).dossier
    d = services.dossier_approve(actor=s[Role.AGENCY_LEADER], dossier=d).dossier
    d = services.dossier_mark_result_ready(
        actor=s[Role.RECEPTION_OFFICER], dossier=d, files=[pdf_upload()]
    ).dossier
    if state == State.RESULT_READY:
        return d
    return services.dossier_return_result(actor=s[Role.RECEPTION_OFFICER], dossier=d).dossier


def params_for(world: World, action: str, dossier) -> dict:
    """Good input for each action, as a form on the staff screen would send it."""
    from datetime import timedelta

    from django.utils import timezone

    return {
        "request_completion": {"missing_items": ["Tờ khai có chữ ký"]},
        "refuse_reception": {"reasons": "Không thuộc thẩm quyền"},
        "assign": {"assignee": world.staff[Role.SPECIALIST]},
        "request_supplement": {"missing_items": ["Bản sao giấy khai sinh"]},
        "receive_supplement": {"files": [pdf_upload("bo-sung.pdf")]},
        "suspend": {"reasons": "Chờ kết quả xác minh"},
        "reject": {"reasons": "Không đủ điều kiện"},
        "apologize": {
            "new_appointment": max(filter(None, [dossier.appointment_at, timezone.now()]))
            + timedelta(days=7),
            "reasons": "Cần thêm thời gian xác minh",
        },
        "mark_result_ready": {"files": [pdf_upload()]},
        "withdraw": {"reasons": "Người nộp đề nghị rút"},
    }.get(action, {})


def at_the_leader(world, dossier):
    """On from the specialist's step, through the district, to the leader's step."""
    for actor in (world.staff[Role.SPECIALIST], world.district_staff[Role.SPECIALIST]):
        dossier = services.dossier_forward(actor=actor, dossier=dossier).dossier
    return dossier


def prepare_for(world, action, dossier):
    """Some actions need an earlier one done: an approval needs the leader's step, a result
    needs an approval, taking a step needs one nobody holds yet."""
    if action in ("approve", "mark_result_ready") and dossier.state == State.PROCESSING:
        dossier = at_the_leader(world, dossier)
    if action == "mark_result_ready":
        return services.dossier_approve(
            actor=world.staff[Role.AGENCY_LEADER], dossier=dossier
        ).dossier
    if action == "claim":
        # As after a hand-over to the division: the step waits in its pool.
        DossierStep.objects.filter(dossier=dossier, finished_at__isnull=True).update(assignee=None)
        Dossier.objects.filter(pk=dossier.pk).update(assignee=None)
        dossier.refresh_from_db()
    return dossier


def allowed_actor(world, t, dossier=None):
    """Someone whose role the table names; for a step's own work, its owner."""
    roles = sorted(t.staff_roles)
    if dossier is not None and (t.action in ownership.OWNER_ONLY or t.action == "claim"):
        owner = ownership.owner_of(dossier)
        if owner is not None:
            members = ownership.owner_members(owner).order_by("pk")
            for user in members:
                if any(a.role in t.who for a in active_assignments(user)):
                    return user
    return world.actor(roles[0] if roles else APPLICANT)


def send_messages_of(event) -> str:
    """Send what the outbox queued for a dossier's event, as the worker would: "skipped" when
    the event tells nobody, else "sent" once every message went out."""
    from motcua.notify import services as notify
    from motcua.notify.models import Message

    ids = list(Message.objects.filter(dossier_event=event).values_list("pk", flat=True))
    if not ids:
        return "skipped"
    results = {notify.deliver(pk) for pk in ids}
    return "sent" if results == {"sent"} else ",".join(sorted(results))
