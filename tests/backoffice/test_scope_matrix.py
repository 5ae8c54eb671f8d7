"""Every staff URL × every role × inside and outside the unit: nothing outside one's scope is
shown or changed."""

import pytest
from django.urls import reverse

from motcua.dossiers.lifecycle import TRANSITIONS, State
from motcua.org.models import Role
from tests.factories import UserFactory
from tests.world import bring_to, pdf_upload

pytestmark = pytest.mark.django_db


def _urls(dossier, file_id):
    key = dossier.code
    return [
        reverse("backoffice:dossier", args=[key]),
        reverse("backoffice:file", args=[key, file_id]),
        reverse("backoffice:form", args=[key, "01"]),
        reverse("backoffice:form", args=[key, "06"]),
        reverse("backoffice:form", args=[key, "giai-trinh"]),
        f"/api/v1/dossiers/{key}/",
        f"/api/v1/dossiers/{key}/events/",
        f"/api/v1/dossiers/{key}/forms/01.pdf",
    ]


@pytest.fixture
def dossier(world):
    d = world.receive(files=[pdf_upload()])
    return d, d.files.get().pk


@pytest.mark.parametrize("role", Role.values)
def test_officers_of_another_unit_see_nothing(client, world, dossier, role):
    d, file_id = dossier
    stranger = UserFactory(roles=[(role, world.other_ubnd)], agency=world.other_ubnd)
    client.force_login(stranger)
    for url in _urls(d, file_id):
        assert client.get(url).status_code == 404, url
    for queue in ("tat-ca", "can-phan-cong", "cho-tra", "qua-han"):
        page = client.get(reverse("backoffice:queue", args=[queue])).content.decode()
        assert d.code not in page, queue


@pytest.mark.parametrize("role", Role.values)
def test_officers_of_the_unit_see_it(client, world, dossier, role):
    d, file_id = dossier
    client.force_login(world.staff[role])
    for url in _urls(d, file_id):
        assert client.get(url).status_code == 200, url
    assert d.code in client.get(reverse("backoffice:queue", args=["tat-ca"])).content.decode()


@pytest.mark.parametrize("action", [t.action for t in TRANSITIONS if t.staff_roles])
def test_no_action_url_changes_a_dossier_outside_scope(client, world, action):
    d = bring_to(world, State.PROCESSING)
    client.force_login(world.outsider)
    response = client.post(
        reverse("backoffice:action", args=[d.code, action]),
        {f"{action}-version": d.version, f"{action}-reasons": "x", f"{action}-missing_items": "x"},
    )
    assert response.status_code == 404
    api = client.post(
        f"/api/v1/dossiers/{d.code}/actions/{action}/",
        {"reasons": "x"},
        content_type="application/json",
    )
    assert api.status_code == 404
    d.refresh_from_db()
    assert d.state == State.PROCESSING and d.events.count() == 2


def test_supervisors_see_their_unit_and_below_only(client, world, dossier):
    d, file_id = dossier
    district_supervisor = UserFactory(roles=[(Role.SUPERVISOR, world.district)])
    other_district = world.district.__class__.objects.create(
        code="OTHER", name="Huyện Khác", tier="district", parent=world.province
    )
    outside_supervisor = UserFactory(roles=[(Role.SUPERVISOR, other_district)])
    client.force_login(district_supervisor)
    for url in _urls(d, file_id):
        assert client.get(url).status_code == 200, url
    client.force_login(outside_supervisor)
    for url in _urls(d, file_id):
        assert client.get(url).status_code == 404, url


def test_citizens_and_anonymous_get_no_staff_page(client, world, dossier):
    d, file_id = dossier
    for url in [*_urls(d, file_id)[:5], reverse("backoffice:home"), reverse("backoffice:counter")]:
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "/can-bo/dang-nhap/" in anonymous["Location"], url
    client.force_login(world.citizen)
    for url in [*_urls(d, file_id)[:5], reverse("backoffice:home"), reverse("backoffice:counter")]:
        assert client.get(url).status_code == 403, url


def test_sender_keeps_read_access_after_a_hand_over(client, world):
    d = bring_to(world, State.PROCESSING)
    from motcua.dossiers import services

    d = services.dossier_forward(actor=world.staff[Role.SPECIALIST], dossier=d).dossier
    assert d.current_agency == world.district_ubnd
    client.force_login(world.staff[Role.SPECIALIST])
    page = client.get(reverse("backoffice:dossier", args=[d.code])).content.decode()
    assert "bạn chỉ xem" in page and 'data-action="' not in page
    client.force_login(world.district_staff[Role.SPECIALIST])
    page = client.get(reverse("backoffice:dossier", args=[d.code])).content.decode()
    assert 'data-action="forward"' in page
