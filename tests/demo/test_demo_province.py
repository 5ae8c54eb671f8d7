"""The demo province that `make run` loads: complete, real, and idempotent."""

import pytest
from django.core.management import call_command

from motcua.catalog.models import Component, Fee, Field, Procedure, ProcessStep
from motcua.catalog.selectors import procedure_list
from motcua.org.models import Agency, Role, RoleAssignment, Tier, Unit, User

pytestmark = pytest.mark.django_db


def _snapshot():
    return {
        "units": list(Unit.objects.values_list("code", "name", "parent__code").order_by("code")),
        "agencies": list(Agency.objects.values_list("code", "name", "unit__code").order_by("code")),
        "users": list(User.objects.values_list("username", "password").order_by("username")),
        "roles": RoleAssignment.objects.count(),
        "procedures": list(
            Procedure.objects.values_list("national_code", "updated_at").order_by("national_code")
        ),
        "fees": list(Fee.objects.values_list("id", flat=True).order_by("id")),
        "components": list(Component.objects.values_list("id", flat=True).order_by("id")),
        "steps": list(ProcessStep.objects.values_list("id", flat=True).order_by("id")),
    }


def test_demo_has_the_shape_the_issue_asks_for(demo_province):
    assert Unit.objects.filter(tier=Tier.PROVINCE).count() == 1
    assert Unit.objects.filter(tier=Tier.DISTRICT).count() >= 2
    assert Unit.objects.filter(tier=Tier.COMMUNE).count() >= 6
    assert Agency.objects.filter(kind=Agency.Kind.SERVICE_CENTER).exists()
    assert Agency.objects.filter(kind=Agency.Kind.DEPARTMENT).count() >= 4
    held = set(RoleAssignment.objects.values_list("role", flat=True))
    assert held == set(Role.values), "every role has a demo account"
    assert Procedure.objects.count() >= 40
    assert Field.objects.filter(procedures__isnull=False).distinct().count() >= 8


def test_every_procedure_is_complete_and_handled_somewhere(demo_province):
    for procedure in Procedure.objects.prefetch_related("agencies", "components"):
        assert procedure.agencies.exists(), procedure.national_code
        assert procedure.components.exists(), procedure.national_code
        assert procedure.current_process() is not None, procedure.national_code


def test_dang_ky_khai_sinh_finds_birth_registration_first(demo_province):
    first = procedure_list(query="dang ky khai sinh").first()
    assert first.name.lower().removeprefix("thủ tục ") == "đăng ký khai sinh"


def test_demo_accounts_sign_in_with_the_readme_password(demo_province, client):
    response = client.post(
        "/can-bo/dang-nhap/", {"username": "tiepnhan.p1", "password": "motcua-demo"}, follow=True
    )
    assert "Cán bộ tiếp nhận (Một cửa)" in response.content.decode()


def test_loading_twice_changes_nothing(demo_province):
    before = _snapshot()
    call_command("load_demo_province", verbosity=0)
    assert _snapshot() == before


def test_two_tier_variant_has_communes_under_the_province(db):
    call_command("load_demo_province", "--two-tier", verbosity=0)
    province = Unit.objects.get(tier=Tier.PROVINCE)
    assert not Unit.objects.filter(tier=Tier.DISTRICT).exists()
    communes = Unit.objects.filter(tier=Tier.COMMUNE)
    assert communes.count() >= 6 and all(c.parent_id == province.pk for c in communes)
    # District procedures moved to the communes on 1 July 2025.
    district_level = Procedure.objects.filter(tiers__icontains='"district"').first()
    assert district_level.agencies.filter(unit__tier=Tier.COMMUNE).exists()
