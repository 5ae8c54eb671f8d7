"""Who may do what, where: the permission helper over units, agencies and roles."""

from datetime import date, timedelta

import pytest

from motcua.org import permissions
from motcua.org.models import Agency, Role, Tier
from motcua.org.permissions import PROVINCE_WIDE, Scope, can, require
from tests.factories import AgencyFactory, RoleAssignmentFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

ACT = permissions.register("test.act", [Role.RECEPTION_OFFICER, Role.SUPERVISOR])


@pytest.fixture
def tree():
    province = UnitFactory(tier=Tier.PROVINCE, name="Tỉnh A")
    district = UnitFactory(tier=Tier.DISTRICT, parent=province)
    commune = UnitFactory(tier=Tier.COMMUNE, parent=district)
    other_district = UnitFactory(tier=Tier.DISTRICT, parent=province)
    other_commune = UnitFactory(tier=Tier.COMMUNE, parent=other_district)
    return {
        "province": province,
        "district": district,
        "commune": commune,
        "other_commune": other_commune,
        "district_ubnd": AgencyFactory(unit=district),
        "commune_ubnd": AgencyFactory(unit=commune),
        "other_ubnd": AgencyFactory(unit=other_commune),
    }


def test_agency_role_covers_its_agency_only(tree):
    officer = UserFactory(roles=[(Role.RECEPTION_OFFICER, tree["commune_ubnd"])])
    assert can(officer, ACT, tree["commune_ubnd"])
    assert not can(officer, ACT, tree["other_ubnd"])
    assert not can(officer, ACT, tree["district_ubnd"])


def test_agency_role_covers_child_agencies(tree):
    one_stop = AgencyFactory(
        unit=tree["district"], parent=tree["district_ubnd"], kind=Agency.Kind.ONE_STOP
    )
    officer = UserFactory(roles=[(Role.RECEPTION_OFFICER, tree["district_ubnd"])])
    assert can(officer, ACT, one_stop)


def test_unit_role_covers_the_units_below(tree):
    supervisor = UserFactory(roles=[(Role.SUPERVISOR, tree["district"])])
    assert can(supervisor, ACT, tree["district_ubnd"])
    assert can(supervisor, ACT, tree["commune_ubnd"])
    assert can(supervisor, ACT, tree["commune"])
    assert not can(supervisor, ACT, tree["other_ubnd"])
    assert not can(supervisor, ACT, tree["province"])


def test_role_not_listed_for_the_action_is_refused(tree):
    clerk = UserFactory(roles=[(Role.CLERK, tree["commune_ubnd"])])
    assert not can(clerk, ACT, tree["commune_ubnd"])
    with pytest.raises(permissions.PermissionDenied):
        require(clerk, ACT, tree["commune_ubnd"])


def test_expired_or_future_assignment_gives_nothing(tree):
    user = UserFactory()
    RoleAssignmentFactory(
        user=user,
        role=Role.RECEPTION_OFFICER,
        agency=tree["commune_ubnd"],
        valid_to=date.today() - timedelta(days=1),
    )
    RoleAssignmentFactory(
        user=user,
        role=Role.RECEPTION_OFFICER,
        agency=tree["other_ubnd"],
        valid_from=date.today() + timedelta(days=1),
    )
    assert not can(user, ACT, tree["commune_ubnd"])
    assert not can(user, ACT, tree["other_ubnd"])


def test_inactive_and_anonymous_users_may_do_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    officer = UserFactory(roles=[(Role.RECEPTION_OFFICER, tree["commune_ubnd"])])
    officer.is_active = False
    assert not can(officer, ACT, tree["commune_ubnd"])
    assert not can(AnonymousUser(), ACT, tree["commune_ubnd"])


def test_province_wide_things_need_a_province_scope(tree):
    province_admin = UserFactory(roles=[(Role.ADMINISTRATOR, tree["province"])])
    district_admin = UserFactory(roles=[(Role.ADMINISTRATOR, tree["district"])])
    assert can(province_admin, permissions.MANAGE_CATALOG, PROVINCE_WIDE)
    assert not can(district_admin, permissions.MANAGE_CATALOG, PROVINCE_WIDE)
    # …but the district administrator manages its own staff and agencies.
    assert can(district_admin, permissions.MANAGE_ORG, tree["commune_ubnd"])


def test_objects_declare_their_scope():
    class Thing:
        def __init__(self, agency):
            self.agency = agency

        def permission_scope(self):
            return Scope(unit_id=self.agency.unit_id, agency_id=self.agency.pk)

    agency = AgencyFactory()
    officer = UserFactory(roles=[(Role.RECEPTION_OFFICER, agency)])
    assert can(officer, ACT, Thing(agency))
    assert not can(officer, ACT, Thing(AgencyFactory()))


def test_reachable_ids_for_list_filtering(tree):
    supervisor = UserFactory(roles=[(Role.SUPERVISOR, tree["district"])])
    agencies = permissions.reachable_agency_ids(supervisor, ACT)
    assert agencies == {tree["district_ubnd"].pk, tree["commune_ubnd"].pk}
    units = permissions.reachable_unit_ids(supervisor, ACT)
    assert units == {tree["district"].pk, tree["commune"].pk}


def test_unknown_action_is_a_programming_error(tree):
    with pytest.raises(LookupError):
        can(UserFactory(), "no.such.action", tree["commune"])
