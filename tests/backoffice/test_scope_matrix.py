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


HANDLERS = [
    Role.RECEPTION_OFFICER,
    Role.SPECIALIST,
    Role.DIVISION_HEAD,
    Role.AGENCY_LEADER,
    Role.CLERK,
]
PROGRESS_ONLY = [Role.SUPERVISOR, Role.ADMINISTRATOR]


def _personal_urls(dossier, file_id):
    """What shows the applicant: the file, the printed forms (the page and the API's dossier
    and events show progress to more roles)."""
    return [u for u in _urls(dossier, file_id) if "/tep/" in u or "mau" in u or "forms" in u]


@pytest.mark.parametrize("role", HANDLERS)
def test_officers_who_handle_dossiers_see_it_whole(client, world, dossier, role):
    d, file_id = dossier
    client.force_login(world.staff[role])
    for url in _urls(d, file_id):
        assert client.get(url).status_code == 200, url
    assert d.code in client.get(reverse("backoffice:queue", args=["tat-ca"])).content.decode()
    page = client.get(reverse("backoffice:dossier", args=[d.code])).content.decode()
    assert "079123456789" in page and "ket-qua.pdf" in page
    assert client.get(f"/api/v1/dossiers/{d.code}/").json()["applicant_name"] == "Nguyễn Văn Bình"


@pytest.mark.parametrize("role", PROGRESS_ONLY)
def test_supervisors_and_administrators_see_progress_without_the_person(
    client, world, dossier, role
):
    d, file_id = dossier
    client.force_login(world.staff[role])
    page = client.get(reverse("backoffice:dossier", args=[d.code]))
    assert page.status_code == 200
    text = page.content.decode()
    assert d.procedure.name in text and "Tiếp nhận hồ sơ" in text  # progress, control sheet
    for secret in ("Nguyễn Văn Bình", "079123456789", "0912345678", "binh@example.vn"):
        assert secret not in text
    assert "ket-qua.pdf" not in text and "/tep/" not in text
    for url in _personal_urls(d, file_id):
        assert client.get(url).status_code == 403, url
    api = client.get(f"/api/v1/dossiers/{d.code}/").json()
    assert api["state"] == d.state and api["applicant_name"] is None
    assert api["applicant_phone"] is None and api["applicant_id_number"] is None
    listed = client.get("/api/v1/dossiers/").json()["results"]
    assert [r["applicant_name"] for r in listed if r["code"] == d.code] == [None]
    assert client.get(f"/api/v1/dossiers/{d.code}/events/").status_code == 200
    # Queues are worklists with names: a supervisor follows dossiers through monitoring.
    queue = client.get(reverse("backoffice:queue", args=["tat-ca"])).content.decode()
    assert d.code not in queue


def test_the_meeting_secretary_reads_no_dossier(client, world, dossier):
    """The provincial committee's meeting secretary gets material through meetings only."""
    d, file_id = dossier
    secretary = UserFactory(
        roles=[(Role.MEETING_SECRETARY, world.commune_ubnd)], agency=world.commune_ubnd
    )
    client.force_login(secretary)
    for url in _urls(d, file_id):
        assert client.get(url).status_code == 404, url
    for queue in ("tat-ca", "can-phan-cong", "cho-tra", "qua-han", "cua-toi", "cho-bo-sung"):
        response = client.get(reverse("backoffice:queue", args=[queue]))
        assert response.status_code == 200 and d.code not in response.content.decode(), queue
        export = client.get(reverse("backoffice:queue_export", args=[queue]))
        assert export.status_code == 200 and "Nguyễn Văn Bình" not in _xlsx_text(export), queue
    assert client.get("/api/v1/dossiers/").json()["count"] == 0
    home = client.get(reverse("backoffice:home"))
    assert home.status_code == 200 and '<a class="tile' not in home.content.decode()


def _xlsx_text(response) -> str:
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(
        BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    return " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)


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
        expected = 403 if url in _personal_urls(d, file_id) else 200
        assert client.get(url).status_code == expected, url
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
