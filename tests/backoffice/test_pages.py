"""The staff screens through Django's test client: queues, dossier page, actions, counter."""

import pytest
from django.urls import reverse

from motcua.dossiers.lifecycle import State
from motcua.dossiers.models import Dossier
from motcua.org.models import Role
from tests.world import PDF, bring_to, pdf_upload

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_home_counts_what_waits(client, world):
    bring_to(world, State.RECEIVED)
    bring_to(world, State.AWAITING_SUPPLEMENT)
    page = (
        _login(client, world.staff[Role.DIVISION_HEAD])
        .get(reverse("backoffice:home"))
        .content.decode()
    )
    assert "Chờ phân công" in page and "Chờ bổ sung" in page
    assert "Xin chào" in page


def test_queue_lists_filters_and_paginates(client, world):
    for _ in range(3):
        bring_to(world, State.RECEIVED)
    client = _login(client, world.staff[Role.RECEPTION_OFFICER])
    page = client.get(reverse("backoffice:queue", args=["tat-ca"])).content.decode()
    assert "3 hồ sơ" in page
    page = client.get(
        reverse("backoffice:queue", args=["tat-ca"]), {"trang_thai": "processing"}
    ).content.decode()
    assert "0 hồ sơ" in page
    bad = client.get(
        reverse("backoffice:queue", args=["tat-ca"]), {"han_tu": "hôm qua", "trang": "x"}
    )
    assert bad.status_code == 200
    assert client.get(reverse("backoffice:queue", args=["khong-co"])).status_code == 404


def test_a_history_too_long_to_count_says_so(client, world, monkeypatch):
    from motcua.core.paging import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 2)
    for _ in range(3):
        bring_to(world, State.RECEIVED)
    client = _login(client, world.staff[Role.RECEPTION_OFFICER])
    page = client.get(reverse("backoffice:queue", args=["tat-ca"])).content.decode()
    assert "Hơn 2 hồ sơ — lọc để thu hẹp" in page
    narrowed = client.get(
        reverse("backoffice:queue", args=["tat-ca"]), {"trang_thai": "processing"}
    )
    assert "0 hồ sơ" in narrowed.content.decode()


def test_dossier_page_shows_everything_and_offers_allowed_actions(client, world):
    dossier = bring_to(world, State.PROCESSING)
    page = (
        _login(client, world.staff[Role.SPECIALIST])
        .get(reverse("backoffice:dossier", args=[dossier.code]))
        .content.decode()
    )
    for text in (
        "Nguyễn Văn Bình",
        "Quá trình giải quyết",
        "Chuyển bước tiếp theo",
        "Cách tính hạn",
        "Yêu cầu bổ sung hồ sơ",
        "Mẫu 01",
        "Các bước",
    ):
        assert text in page, text
    assert 'data-action="reject"' not in page  # a specialist may not reject


def test_action_through_the_page_changes_state(client, world):
    dossier = bring_to(world, State.PROCESSING)
    client = _login(client, world.staff[Role.SPECIALIST])
    url = reverse("backoffice:action", args=[dossier.code, "request_supplement"])
    response = client.post(
        url,
        {
            "request_supplement-version": dossier.version,
            "request_supplement-missing_items": "Bản sao sổ đỏ\nTờ khai",
        },
        follow=True,
    )
    dossier.refresh_from_db()
    assert dossier.state == State.AWAITING_SUPPLEMENT
    assert "Đã thực hiện: Yêu cầu bổ sung hồ sơ." in response.content.decode()


def test_missing_input_keeps_what_was_typed(client, world):
    dossier = bring_to(world, State.PROCESSING)
    client = _login(client, world.staff[Role.AGENCY_LEADER])
    url = reverse("backoffice:action", args=[dossier.code, "apologize"])
    response = client.post(
        url, {"apologize-version": dossier.version, "apologize-reasons": "Chậm xác minh"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Chậm xác minh" in page  # what the officer typed is still there
    assert "Trường này là bắt buộc." in page
    dossier.refresh_from_db()
    assert dossier.apologies == 0


def test_someone_else_changed_it_shows_a_clear_conflict(client, world):
    dossier = bring_to(world, State.PROCESSING)
    stale = dossier.version
    from motcua.dossiers import services

    services.dossier_assign(
        actor=world.staff[Role.DIVISION_HEAD],
        dossier=dossier,
        assignee=world.staff[Role.SPECIALIST],
    )
    client = _login(client, world.staff[Role.SPECIALIST])
    response = client.post(
        reverse("backoffice:action", args=[dossier.code, "request_supplement"]),
        {"request_supplement-version": stale, "request_supplement-missing_items": "Tờ khai"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "người khác thay đổi" in page and "Tờ khai" in page  # the officer's input is kept
    dossier.refresh_from_db()
    assert dossier.state == State.PROCESSING


def test_counter_receives_with_files_and_opens_form_01(client, world):
    client = _login(client, world.staff[Role.RECEPTION_OFFICER])
    component = world.procedure.components.first()
    response = client.post(
        reverse("backoffice:counter"),
        {
            "procedure": world.procedure.national_code,
            "applicant_kind": 1,
            "name": "Phạm Thị Lan",
            "id_number": "079188001234",
            "phone": "0901111222",
            "channel": 1,
            "delivery": "counter",
            "quantity": 1,
            "decision": "receive",
            f"have_{component.pk}": "original",
            f"file_{component.pk}": [pdf_upload("to-khai.pdf")],
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("?in=01")
    dossier = Dossier.objects.get(applicant_name="Phạm Thị Lan")
    assert dossier.state == State.RECEIVED and dossier.files.count() == 1
    assert dossier.events.get().data["checklist"] == {str(component.pk): ["original"]}
    pdf = client.get(reverse("backoffice:form", args=[dossier.code, "01"]))
    assert pdf.content.startswith(b"%PDF")


def test_counter_incomplete_and_refusal_issue_forms_02_and_03(client, world):
    client = _login(client, world.staff[Role.RECEPTION_OFFICER])
    common = {
        "procedure": world.procedure.national_code,
        "applicant_kind": 1,
        "name": "Lê Văn Tư",
        "channel": 1,
        "delivery": "counter",
        "quantity": 1,
    }
    response = client.post(
        reverse("backoffice:counter"),
        {**common, "decision": "incomplete", "missing_items": "Tờ khai\nBản sao CCCD"},
    )
    assert response["Location"].endswith("?in=02")
    draft = Dossier.objects.get(state=State.DRAFT)
    assert client.get(
        reverse("backoffice:form", args=[str(draft.reference), "02"])
    ).content.startswith(b"%PDF")
    response = client.post(
        reverse("backoffice:counter"),
        {**common, "decision": "refuse", "reasons": "Không thuộc thẩm quyền"},
    )
    assert response["Location"].endswith("?in=03")
    assert Dossier.objects.filter(state=State.NOT_RECEIVED).count() == 1


def test_counter_bad_input_changes_nothing(client, world):
    client = _login(client, world.staff[Role.RECEPTION_OFFICER])
    response = client.post(
        reverse("backoffice:counter"),
        {
            "procedure": "0.000000",
            "name": "",
            "applicant_kind": "x",
            "quantity": "-3",
            "decision": "receive",
        },
    )
    assert response.status_code == 400
    assert "Chưa tiếp nhận" in response.content.decode()
    response = client.post(
        reverse("backoffice:counter"),
        {
            "procedure": world.procedure.national_code,
            "applicant_kind": 1,
            "name": "A",
            "channel": 1,
            "delivery": "counter",
            "quantity": 1,
            "id_number": "12",
            "decision": "receive",
        },
    )
    assert response.status_code == 400 and "Số định danh" in response.content.decode()
    assert Dossier.objects.count() == 0


def test_counter_typeahead_and_applicant_prefill(client, world):
    client = _login(client, world.staff[Role.RECEPTION_OFFICER])
    found = client.get(reverse("backoffice:counter_procedures"), {"q": "lien thong"}).json()
    assert found["results"][0]["code"] == world.procedure.national_code
    world.receive()
    data = client.get(reverse("backoffice:counter_applicant"), {"so": "079123456789"}).json()
    assert data["found"] and data["applicant"]["name"] == "Nguyễn Văn Bình"
    assert client.get(reverse("backoffice:counter_applicant"), {"so": "000"}).json() == {
        "found": False
    }
    fragment = client.get(
        reverse("backoffice:counter_checklist"),
        {"code": world.procedure.national_code, "so_luong": "2"},
    ).content.decode()
    assert "Tờ khai" in fragment and "20.000 đ" in fragment


def test_file_preview_only_inside_scope(client, world):
    dossier = world.receive(files=[pdf_upload("to-khai.pdf")])
    record = dossier.files.get()
    url = reverse("backoffice:file", args=[dossier.code, record.pk])
    inside = _login(client, world.staff[Role.SPECIALIST]).get(url)
    assert inside.status_code == 200 and b"".join(inside.streaming_content) == PDF
    assert inside["Content-Disposition"].startswith("inline")
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404


def test_postal_handover_list_for_the_day(client, world):
    from motcua.dossiers import services

    post = world.receive(delivery="post", delivery_address="12 Nguyễn Huệ, Phường 1")
    s = world.staff
    for actor in (
        s[Role.RECEPTION_OFFICER],
        s[Role.SPECIALIST],
        world.district_staff[Role.SPECIALIST],
    ):
        post = services.dossier_forward(actor=actor, dossier=post).dossier
    post = services.dossier_approve(actor=s[Role.AGENCY_LEADER], dossier=post).dossier
    services.dossier_mark_result_ready(
        actor=s[Role.RECEPTION_OFFICER], dossier=post, files=[pdf_upload()]
    )
    bring_to(world, State.RESULT_READY)  # collected at the counter: not on the postal list
    client = _login(client, s[Role.RECEPTION_OFFICER])
    page = client.get(reverse("backoffice:handover"), {"hinh_thuc": "post"}).content.decode()
    assert "bàn giao kết quả cho bưu chính" in page and post.code in page
    assert "12 Nguyễn Huệ, Phường 1" in page and "1 hồ sơ" in page
    counter_page = client.get(
        reverse("backoffice:handover"), {"hinh_thuc": "counter"}
    ).content.decode()
    assert "trả kết quả tại quầy" in counter_page and post.code not in counter_page
    assert client.get(reverse("backoffice:handover"), {"ngay": "không"}).status_code == 200


def test_online_dossiers_wait_in_their_queue_and_are_received_from_the_page(client, world):
    submitted = bring_to(world, State.SUBMITTED)
    client = _login(client, world.staff[Role.RECEPTION_OFFICER])
    page = client.get(reverse("backoffice:queue", args=["truc-tuyen"])).content.decode()
    assert submitted.display_code in page
    key = str(submitted.reference)
    page = client.get(reverse("backoffice:dossier", args=[key])).content.decode()
    assert 'data-action="receive"' in page and 'data-action="request_completion"' in page
    client.post(
        reverse("backoffice:action", args=[key, "receive"]), {"receive-version": submitted.version}
    )
    submitted.refresh_from_db()
    assert submitted.state == State.RECEIVED and submitted.code


def test_approval_queue_holds_dossiers_at_a_leaders_step(client, world):
    from motcua.dossiers import services

    dossier = bring_to(world, State.PROCESSING)
    for actor in (world.staff[Role.SPECIALIST], world.district_staff[Role.SPECIALIST]):
        dossier = services.dossier_forward(actor=actor, dossier=dossier).dossier
    waiting = bring_to(world, State.PROCESSING)  # still at the specialist's step
    client = _login(client, world.staff[Role.AGENCY_LEADER])
    page = client.get(reverse("backoffice:queue", args=["cho-phe-duyet"])).content.decode()
    assert dossier.code in page and waiting.code not in page and "1 hồ sơ" in page


def test_queue_pages_cost_the_same_queries_for_more_rows(client, world):
    """Each row's due-time status uses cached calendars and units: no query per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _login(client, world.staff[Role.RECEPTION_OFFICER])
    url = reverse("backoffice:queue", args=["tat-ca"])
    bring_to(world, State.RECEIVED)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(4):
        bring_to(world, State.PROCESSING)
    with CaptureQueriesContext(connection) as five:
        assert "5 hồ sơ" in client.get(url).content.decode()
    assert len(five) == len(one)
