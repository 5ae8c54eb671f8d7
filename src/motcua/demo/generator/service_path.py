"""Applying plans through the real services, one action at a time (slow, the reference)."""

from datetime import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.catalog.models import Procedure
from motcua.dossiers import deadlines, services
from motcua.dossiers.models import Channel, Dossier
from motcua.dossiers.services.core import current_step
from motcua.org.models import Agency

from .driver import RESULT_PDF, Driver
from .plans import Plan


class ServiceDriver(Driver):
    dossier: Dossier

    def begin(self, plan: Plan) -> None:
        procedure = Procedure.objects.get(national_code=plan.procedure)
        agency = Agency.objects.select_related("unit").get(code=plan.agency)
        officer = self.people.officer(plan.agency, "reception_officer")
        common = {
            "procedure": procedure,
            "agency": agency,
            "applicant": plan.applicant,
            "delivery": plan.delivery,
            "delivery_address": plan.delivery_address,
            "quantity": plan.quantity,
        }
        if plan.channel == Channel.ONLINE:
            owner = self.people.by_name[plan.owner]
            draft = services.dossier_create_draft(
                owner=owner, channel=Channel.ONLINE, now=plan.received_at, **common
            )
            services.dossier_submit(actor=owner, dossier=draft, now=plan.received_at)
            self.dossier = services.dossier_receive(
                actor=officer, dossier=draft, now=plan.received_at
            ).dossier
        else:
            self.dossier = services.dossier_receive_at_counter(
                actor=officer, channel=plan.channel, now=plan.received_at, **common
            ).dossier

    def act(self, action: str, actor, at: datetime, **params) -> None:
        if action == "mark_result_ready":
            params["files"] = [SimpleUploadedFile("ket-qua.pdf", RESULT_PDF, "application/pdf")]
        self.dossier = services.perform(
            action, actor=actor, dossier=self.dossier, now=at, **params
        ).dossier

    def current_agency_code(self) -> str:
        return self.dossier.current_agency.code

    def receiving_agency_code(self) -> str:
        return self.dossier.receiving_agency.code

    def current_step_role(self):
        step = current_step(self.dossier)
        return step.role if step else None

    def has_next_step(self) -> bool:
        step = current_step(self.dossier)
        if self.dossier.process is None or step is None or step.process_step is None:
            return False
        return self.dossier.process.steps.filter(order__gt=step.process_step.order).exists()

    def appointment_floor(self, at: datetime) -> datetime:
        return max(filter(None, [self.dossier.appointment_at, self.dossier.due_at, at]))

    def calendar(self):
        return deadlines.calendar_for(self.dossier)
