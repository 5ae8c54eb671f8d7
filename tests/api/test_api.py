"""The REST API v1 as an integrating system uses it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.dossiers.lifecycle import SAME, TRANSITIONS, State
from motcua.org.models import Role
from tests.world import PDF, allowed_actor, bring_to, params_for, prepare_for

pytestmark = pytest.mark.django_db

INTAKE = {
    "applicant": {"name": "Lê Thị Mai", "phone": "0901234567", "id_number": "079123456789"},
}


def _intake(world, api, **extra):
    body = {**INTAKE, "procedure": world.procedure.national_code, **extra}
    return api(world.staff[Role.RECEPTION_OFFICER]).post("/api/v1/dossiers/", body, format="json")


def test_token_for_staff_and_refusal_for_a_wrong_password(world, api):
    officer = world.staff[Role.RECEPTION_OFFICER]
    ok = api().post(
        "/api/v1/auth/token/", {"username": officer.username, "password": "mat-khau-thu-123"}
    )
    assert ok.status_code == 200 and len(ok.json()["token"]) == 40
    bad = api().post("/api/v1/auth/token/", {"username": officer.username, "password": "x"})
    assert bad.status_code == 400
    citizen = api().post(
        "/api/v1/auth/token/", {"username": "congdan", "password": "mat-khau-thu-123"}
    )
    assert citizen.status_code == 400


def test_procedures_are_public(world, api):
    listing = api().get("/api/v1/procedures/", {"q": "lien thong"})
    assert listing.status_code == 200
    assert listing.json()["results"][0]["national_code"] == world.procedure.national_code
    detail = api().get(f"/api/v1/procedures/{world.procedure.national_code}/")
    assert detail.json()["fees"][0]["amount"] == 20000
    assert api().get("/api/v1/procedures/0.000000/").status_code == 404


def test_counter_intake_returns_code_state_and_times(world, api):
    response = _intake(world, api)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"].startswith("000.01.01.T99-")
    assert body["state"] == "received" and body["received_at"] and body["due_at"]
    assert body["fee_due"] == 20000


def test_intake_with_files_as_multipart(world, api):
    from motcua.dossiers.models import Dossier

    client = api(world.staff[Role.RECEPTION_OFFICER])
    response = client.post(
        "/api/v1/dossiers/",
        {
            "procedure": world.procedure.national_code,
            "applicant.name": "Lê Thị Mai",
            "files": [SimpleUploadedFile("to-khai.pdf", PDF, "application/pdf")],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    dossier = Dossier.objects.get(code=response.json()["code"])
    assert dossier.applicant_name == "Lê Thị Mai"
    assert [f.original_name for f in dossier.files.all()] == ["to-khai.pdf"]


def test_bad_intake_gets_field_messages_and_changes_nothing(world, api):
    from motcua.dossiers.models import Dossier

    response = _intake(world, api, applicant={"name": "", "phone": "abc"})
    assert response.status_code == 400
    assert "applicant" in response.json()
    response = _intake(world, api, applicant={"name": "A", "id_number": "12"})
    assert response.status_code == 400
    assert "Số định danh" in response.json()["applicant.id_number"][0]
    response = _intake(world, api, procedure="9.999999")
    assert response.status_code == 400
    assert Dossier.objects.count() == 0


def test_intake_refused_outside_ones_agency(world, api):
    response = api(world.outsider).post(
        "/api/v1/dossiers/",
        {**INTAKE, "procedure": world.procedure.national_code, "agency": world.commune_ubnd.code},
        format="json",
    )
    assert response.status_code == 403


def _action(world, api, actor, dossier, action, body=None, fmt="json"):
    key = dossier.code or dossier.reference
    return api(actor).post(f"/api/v1/dossiers/{key}/actions/{action}/", body or {}, format=fmt)


def _api_body(world, action, dossier):
    params = params_for(world, action, dossier)
    body, fmt = {}, "json"
    for key, value in params.items():
        if key == "files":
            body["files"] = [SimpleUploadedFile("kq.pdf", PDF, "application/pdf")]
            fmt = "multipart"
        elif key == "assignee":
            body[key] = value.username
        elif key == "new_appointment":
            body[key] = value.isoformat()
        else:
            body[key] = value
    if fmt == "multipart" and "missing_items" in body:
        fmt = "json"
    return body, fmt


STAFF_ALLOWED = [
    (t.action, s)
    for t in TRANSITIONS
    if t.staff_roles
    for s in sorted(t.sources)
    if s not in (State.DRAFT, State.SUBMITTED) or t.action != "withdraw"
]


@pytest.mark.parametrize(
    ("action", "state"), [(a, s) for a, s in STAFF_ALLOWED if s not in (State.DRAFT,)]
)
def test_every_allowed_action_through_the_api(world, api, action, state):
    t = next(t for t in TRANSITIONS if t.action == action)
    dossier = prepare_for(world, action, bring_to(world, state))
    body, fmt = _api_body(world, action, dossier)
    response = _action(world, api, allowed_actor(world, t, dossier), dossier, action, body, fmt)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == (state if t.target is SAME else t.target)


@pytest.mark.parametrize("action", [t.action for t in TRANSITIONS if t.staff_roles])
def test_refused_actions_through_the_api(world, api, action):
    t = next(t for t in TRANSITIONS if t.action == action)
    returned = bring_to(world, State.RETURNED)
    actor = world.staff[sorted(t.staff_roles)[0]]
    body, fmt = _api_body(world, action, returned)
    assert _action(world, api, actor, returned, action, body, fmt).status_code == 409
    received = bring_to(world, State.RECEIVED)
    wrong_role = next(r for r in Role.values if r not in t.who)
    body, fmt = _api_body(world, action, received)
    status = _action(world, api, world.staff[wrong_role], received, action, body, fmt).status_code
    # 404 where the role does not even read the applicant's dossier (a supervisor's, for the
    # actions every handler may take).
    assert status in (403, 404, 409)


def test_missing_input_is_400_with_field_messages(world, api):
    dossier = bring_to(world, State.PROCESSING)
    response = _action(world, api, world.staff[Role.SPECIALIST], dossier, "request_supplement", {})
    assert response.status_code == 400
    assert "missing_items" in response.json()
    response = _action(
        world,
        api,
        world.staff[Role.AGENCY_LEADER],
        dossier,
        "apologize",
        {"new_appointment": "không phải ngày", "reasons": "x"},
    )
    assert response.status_code == 400


def test_stale_version_is_409(world, api):
    dossier = bring_to(world, State.RECEIVED)
    stale = dossier.version
    _action(world, api, world.staff[Role.RECEPTION_OFFICER], dossier, "forward")
    response = _action(
        world,
        api,
        world.staff[Role.DIVISION_HEAD],
        dossier,
        "assign",
        {"assignee": world.staff[Role.SPECIALIST].username, "version": stale},
    )
    assert response.status_code == 409
    assert "người khác thay đổi" in response.json()["detail"]


def test_unknown_action_and_other_units_dossiers_are_404(world, api):
    dossier = bring_to(world, State.RECEIVED)
    assert (
        _action(world, api, world.staff[Role.RECEPTION_OFFICER], dossier, "explode").status_code
        == 404
    )
    assert api(world.outsider).get(f"/api/v1/dossiers/{dossier.code}/").status_code == 404


def test_list_filters(world, api):
    received = bring_to(world, State.RECEIVED)
    bring_to(world, State.PROCESSING)
    from tests.factories import UserFactory

    district_supervisor = UserFactory(roles=[(Role.SUPERVISOR, world.district)])
    client = api(district_supervisor)
    assert client.get("/api/v1/dossiers/").json()["count"] == 2
    assert (
        client.get("/api/v1/dossiers/", {"state": "received"}).json()["results"][0]["code"]
        == received.code
    )
    assert client.get("/api/v1/dossiers/", {"unit": world.commune.code}).json()["count"] == 2
    assert client.get("/api/v1/dossiers/", {"procedure": "0.0"}).json()["count"] == 0
    assert client.get("/api/v1/dossiers/", {"late": "true"}).json()["count"] == 0
    assert client.get("/api/v1/dossiers/", {"due_after": "2000-01-01"}).json()["count"] == 2
    assert client.get("/api/v1/dossiers/", {"state": "nope"}).status_code == 400
    assert client.get("/api/v1/dossiers/", {"due_before": "hôm qua"}).status_code == 400
    assert api(world.outsider).get("/api/v1/dossiers/").json()["count"] == 0


def test_events_are_the_control_sheet(world, api):
    dossier = bring_to(world, State.PROCESSING)
    events = (
        api(world.staff[Role.RECEPTION_OFFICER])
        .get(f"/api/v1/dossiers/{dossier.code}/events/")
        .json()
    )
    assert [e["action"] for e in events] == ["receive", "forward"]
    assert events[1]["label"] == "Chuyển bước tiếp theo"


def test_public_lookup_by_code_and_phone(world, api):
    dossier = bring_to(world, State.PROCESSING)
    ok = api().get(f"/api/v1/lookup/{dossier.code}", {"phone": "5678"})
    assert ok.status_code == 200
    body = ok.json()
    assert body["state"] == "processing"
    # The hand-over inside the commune is internal; reception reads in the applicant's words.
    (line,) = body["timeline"]
    assert line["label"] == "Tiếp nhận hồ sơ" and line["title"] == "Đã tiếp nhận hồ sơ"
    assert line["awaited"] == "Cơ quan đang giải quyết"
    assert line["awaited_by"] == dossier.appointment_at.astimezone().isoformat()
    text = ok.content.decode()
    assert "Nguyễn Văn Bình" not in text and "0912345678" not in text and "binh@" not in text
    wrong_phone = api().get(f"/api/v1/lookup/{dossier.code}", {"phone": "0000"})
    wrong_code = api().get("/api/v1/lookup/000.00.00.X00-260101-0001", {"phone": "5678"})
    assert wrong_phone.status_code == wrong_code.status_code == 404
    assert wrong_phone.json() == wrong_code.json()


def test_unauthenticated_dossier_access_is_refused(world, api):
    assert api().get("/api/v1/dossiers/").status_code in (401, 403)


def test_schema_and_docs_are_served(world, api, client):
    assert api().get("/api/v1/schema/").status_code == 200
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200 and b"swagger" in page.content.lower()
    assert b"cdn" not in page.content.lower()


def test_forms_are_served_as_pdf(world, api):
    dossier = bring_to(world, State.PROCESSING)
    client = api(world.staff[Role.RECEPTION_OFFICER])
    for number in ("01", "06", "07"):
        response = client.get(f"/api/v1/dossiers/{dossier.code}/forms/{number}.pdf")
        assert response.status_code == 200, number
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    missing = client.get(f"/api/v1/dossiers/{dossier.code}/forms/05.pdf")
    assert missing.status_code == 404 and "Hồ sơ chưa có" in missing.json()["detail"]
    assert client.get(f"/api/v1/dossiers/{dossier.code}/forms/09.pdf").status_code == 404


def test_nul_characters_are_refused_not_a_server_error(world, api):
    # Bug found by Schemathesis on PostgreSQL, which cannot store NUL characters.
    response = api().post(
        "/api/v1/auth/token/", {"username": "a\x00b", "password": "x"}, format="json"
    )
    assert response.status_code == 400
    officer = api(world.staff[Role.RECEPTION_OFFICER])
    assert officer.get("/api/v1/dossiers/", {"procedure": "1.0\x00"}).status_code == 400
    assert officer.get("/api/v1/dossiers/%00/").status_code in (400, 404)
