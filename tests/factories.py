"""factory-boy factories for the foundation's records."""

from datetime import date
from decimal import Decimal

import factory

from motcua.catalog.models import Component, Fee, Field, Procedure, ProcessDefinition, ProcessStep
from motcua.org.models import Agency, Division, Role, RoleAssignment, Tier, Unit, User


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"Xã Thử {n}")
    tier = Tier.COMMUNE
    valid_from = date(2000, 1, 1)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"000.{n % 100:02d}.{n // 100:02d}.T99")
    name = factory.Sequence(lambda n: f"Ủy ban nhân dân thử {n}")
    short_name = "UBND"
    kind = Agency.Kind.PEOPLES_COMMITTEE
    unit = factory.SubFactory(UnitFactory)


class DivisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Division

    agency = factory.SubFactory(AgencyFactory)
    code = factory.Sequence(lambda n: f"phong-{n}")
    name = factory.Sequence(lambda n: f"Phòng {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"canbo{n}")
    full_name = factory.Sequence(lambda n: f"Cán Bộ {n}")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "mat-khau-thu-123")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """UserFactory(roles=[(Role.X, agency_or_unit), …])."""
        for role, scope in extracted or []:
            RoleAssignmentFactory(user=self, role=role, **_scope_kwargs(scope))
        if create:
            self.save()


def _scope_kwargs(scope) -> dict:
    return {"agency": scope, "unit": None} if isinstance(scope, Agency) else {"unit": scope}


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = Role.RECEPTION_OFFICER
    valid_from = date(2020, 1, 1)


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"F{n}")
    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    national_code = factory.Sequence(lambda n: f"9.{n:06d}")
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm {n}")
    field = factory.SubFactory(FieldFactory)
    tiers = ["commune"]
    processing_time = Decimal(3)


class FeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fee

    procedure = factory.SubFactory(ProcedureFactory)
    name = "Lệ phí"
    amount = 50000


class ComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Component

    procedure = factory.SubFactory(ProcedureFactory)
    name = factory.Sequence(lambda n: f"Giấy tờ {n}")


class ProcessDefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcessDefinition

    procedure = factory.SubFactory(ProcedureFactory)
    valid_from = date(2025, 1, 1)


class ProcessStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcessStep

    process = factory.SubFactory(ProcessDefinitionFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = "Xử lý"
    role = Role.SPECIALIST
    budget = Decimal(1)
