"""Interpreting a plan the same way on both paths: which officer acts, and with what."""

from datetime import datetime

from motcua.org.models import Role

from .plans import Plan

APPROVAL_ROLES = (Role.AGENCY_LEADER, Role.DIVISION_HEAD)
RESULT_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class Directory:
    """Generated officers: one per (agency code, role), and the citizens' accounts."""

    def __init__(self, users_by_agency_role: dict, users_by_name: dict):
        self.by_agency_role = users_by_agency_role
        self.by_name = users_by_name

    def officer(self, agency_code: str, role: str):
        return self.by_agency_role[(agency_code, role)]


class Driver:
    """Runs one plan. Subclasses say how the dossier's state is read and how an action is done."""

    def __init__(self, directory: Directory):
        self.people = directory

    # -- to be provided by a path --
    def begin(self, plan: Plan) -> None: ...
    def act(self, action: str, actor, at: datetime, **params) -> None: ...
    def current_agency_code(self) -> str: ...
    def receiving_agency_code(self) -> str: ...
    def current_step_role(self) -> str | None: ...
    def has_next_step(self) -> bool: ...
    def appointment_floor(self, at: datetime) -> datetime: ...
    def calendar(self): ...

    def run(self, plan: Plan) -> None:
        self.begin(plan)
        for action in plan.actions:
            if action.name == "advance":
                while self.current_step_role() not in APPROVAL_ROLES and self.has_next_step():
                    self.act("forward", self._actor("@step"), action.at)
                continue
            if action.name == "forward" and not self.has_next_step():
                continue  # a one-step process has nowhere to hand over to
            params = dict(action.params)
            if action.name == "apologize":
                extra = params.pop("extra_days")
                floor = self.appointment_floor(action.at)
                params["new_appointment"] = self.calendar().add_working_days(floor, extra)
            self.act(action.name, self._actor(action.actor), action.at, **params)

    def _actor(self, spec: str):
        if not spec.startswith("@"):
            return self.people.by_name[spec]
        current = self.current_agency_code()
        if spec == "@reception":
            return self.people.officer(self.receiving_agency_code(), Role.RECEPTION_OFFICER)
        if spec == "@leader":
            return self.people.officer(current, Role.AGENCY_LEADER)
        role = self.current_step_role() or Role.SPECIALIST
        return self.people.officer(current, role)
