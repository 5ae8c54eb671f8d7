"""Online submission and following one's dossiers: draft, uploads, review, submit, supplement,
electronic result, withdrawal, rating — and nobody else's dossier is ever reachable."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.catalog.models import OnlineLevel
from motcua.dossiers import services
from motcua.dossiers.lifecycle import State
from motcua.dossiers.models import Dossier, DossierFile
from motcua.org.models import Role
from motcua.portal.models import Rating
from tests.portal.citizen import citizen, online_world
from tests.world import PDF, pdf_upload

pytestmark = pytest.mark.django_db
# A real 1×1 PNG: uploads are checked down to the image's header.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\r\xefF\xb8\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def start(client, world):
    online_world(world)
    user = citizen()
    client.force_login(user)
    answer = client.get(reverse("portal:start", args=[world.procedure.national_code]))
    assert answer.status_code == 302
    dossier = Dossier.objects.get(owner=user)
    return user, dossier


def upload(client, dossier, *files, component=None):
    component = component or dossier.procedure.components.first().pk
    return client.post(
        reverse("portal:upload", args=[dossier.reference]),
        {"component": component, "files": list(files)},
        HTTP_ACCEPT="application/json",
    )


def draft_data(**changes):
    data = {
        "applicant_name": "Lê Thị Hoa",
        "applicant_id_number": "079200001234",
        "applicant_phone": "0903111222",
        "applicant_email": "",
        "applicant_address": "Ấp 3",
        "summary": "",
        "delivery": "electronic",
        "delivery_address": "",
    }
    return {**data, **changes}


def test_a_draft_starts_prefilled_from_the_account(client, world):
    _user, dossier = start(client, world)
    assert dossier.state == State.DRAFT and dossier.receiving_agency == world.commune_ubnd
    assert dossier.applicant_name == "Lê Thị Hoa" and dossier.applicant_id_number == "079200001234"
    page = client.get(reverse("portal:draft", args=[dossier.reference])).content.decode()
    assert 'value="079200001234"' in page and "Tờ khai" in page


def test_two_uploads_review_and_submit(client, world):
    _user, dossier = start(client, world)
    first = upload(client, dossier, pdf_upload("to-khai.pdf"))
    second = upload(client, dossier, SimpleUploadedFile("anh.png", PNG, "image/png"))
    assert first.status_code == second.status_code == 200
    assert [f["name"] for f in first.json()["files"]] == ["to-khai.pdf"]
    client.post(reverse("portal:draft", args=[dossier.reference]), draft_data(review="1"))
    review = client.get(reverse("portal:review", args=[dossier.reference])).content.decode()
    assert "to-khai.pdf" in review and "anh.png" in review and "Nộp hồ sơ" in review
    dossier.refresh_from_db()
    done = client.post(
        reverse("portal:review", args=[dossier.reference]), {"version": dossier.version}
    )
    assert done["Location"] == reverse("portal:submitted", args=[dossier.reference])
    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED and dossier.channel == 2
    assert dossier.events.filter(action="submit").exists()


def test_incomplete_draft_is_not_submitted_and_says_what_is_missing(client, world):
    _user, dossier = start(client, world)
    review = client.get(reverse("portal:review", args=[dossier.reference])).content.decode()
    assert "Còn thiếu: Tờ khai." in review
    client.post(reverse("portal:review", args=[dossier.reference]), {"version": dossier.version})
    dossier.refresh_from_db()
    assert dossier.state == State.DRAFT


def test_bad_uploads_are_refused_with_a_reason_and_store_nothing(client, world, settings):
    settings.MOTCUA = {**settings.MOTCUA, "MAX_UPLOAD_MB": 1}
    _user, dossier = start(client, world)
    cases = [
        (SimpleUploadedFile("virus.exe", b"MZ\x90\x00" * 10, "application/octet-stream"), ""),
        (SimpleUploadedFile("gia.pdf", b"MZ\x90\x00not a pdf", "application/pdf"), "gia.pdf"),
        (SimpleUploadedFile("to.pdf", PDF + b"0" * (1024 * 1024 + 1), "application/pdf"), "1 MB"),
        (SimpleUploadedFile("rong.pdf", b"", "application/pdf"), "rong.pdf"),
    ]
    for bad, expected in cases:
        answer = upload(client, dossier, bad)
        assert answer.status_code == 400, bad.name
        assert expected in " ".join(answer.json()["errors"])
    assert not DossierFile.objects.filter(dossier=dossier).exists()
    assert not upload(client, dossier).json().get("files")


def test_a_later_mistake_keeps_what_was_uploaded(client, world):
    _user, dossier = start(client, world)
    upload(client, dossier, pdf_upload("to-khai.pdf"))
    wrong = client.post(
        reverse("portal:draft", args=[dossier.reference]),
        draft_data(applicant_phone="12", delivery="post", delivery_address=""),
    )
    page = wrong.content.decode()
    assert "Số điện thoại không hợp lệ." in page and "to-khai.pdf" in page
    assert dossier.files.count() == 1


def test_save_a_draft_and_come_back(client, world):
    _user, dossier = start(client, world)
    client.post(
        reverse("portal:draft", args=[dossier.reference]),
        draft_data(
            summary="Khai sinh cho con thứ hai", delivery="post", delivery_address="12 Lê Lợi"
        ),
    )
    listing = client.get(reverse("portal:my_dossiers")).content.decode()
    assert "Nháp" in listing or "nháp" in listing
    page = client.get(reverse("portal:draft", args=[dossier.reference])).content.decode()
    assert "Khai sinh cho con thứ hai" in page and 'value="12 Lê Lợi"' in page


def test_partial_online_procedures_do_not_offer_an_electronic_result(client, world):
    _user, dossier = start(client, world)
    online_world(world, OnlineLevel.PARTIAL)
    answer = client.post(reverse("portal:draft", args=[dossier.reference]), draft_data())
    assert "Thủ tục này không trả kết quả theo cách đã chọn." in answer.content.decode()


def test_remove_a_file_from_the_draft(client, world):
    _user, dossier = start(client, world)
    stored = upload(client, dossier, pdf_upload("nham.pdf")).json()["files"][0]
    client.post(reverse("portal:remove_file", args=[dossier.reference, stored["id"]]))
    assert not dossier.files.exists()
    assert dossier.events.filter(action="detach_file").exists()


def test_another_citizen_reaches_nothing(client, world):
    _user, dossier = start(client, world)
    stored = upload(client, dossier, pdf_upload("rieng.pdf")).json()["files"][0]
    client.force_login(citizen("Người Khác", "0988000111"))
    for name, args in [
        ("portal:my_dossier", [dossier.reference]),
        ("portal:draft", [dossier.reference]),
        ("portal:review", [dossier.reference]),
        ("portal:my_file", [dossier.reference, stored["id"]]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    assert upload(client, dossier, pdf_upload()).status_code == 404


def _submitted_and_processing(client, world):
    user, dossier = start(client, world)
    upload(client, dossier, pdf_upload("to-khai.pdf"))
    client.post(reverse("portal:draft", args=[dossier.reference]), draft_data())
    dossier.refresh_from_db()
    client.post(reverse("portal:review", args=[dossier.reference]), {"version": dossier.version})
    officer = world.staff[Role.RECEPTION_OFFICER]
    dossier = services.dossier_receive(actor=officer, dossier=dossier).dossier
    dossier = services.dossier_forward(actor=officer, dossier=dossier).dossier
    return user, dossier


def test_answer_a_supplement_request_online(client, world):
    _user, dossier = _submitted_and_processing(client, world)
    services.dossier_request_supplement(
        actor=world.staff[Role.SPECIALIST], dossier=dossier, missing_items=["Bản sao sổ hộ khẩu"]
    )
    page = client.get(reverse("portal:my_dossier", args=[dossier.reference])).content.decode()
    assert "Cần bổ sung hồ sơ" in page and "Bản sao sổ hộ khẩu" in page
    dossier.refresh_from_db()
    client.post(
        reverse("portal:supplement", args=[dossier.reference]),
        {"files": [pdf_upload("ho-khau.pdf")], "version": dossier.version},
    )
    dossier.refresh_from_db()
    assert dossier.state == State.PROCESSING
    assert dossier.files.filter(purpose=DossierFile.Purpose.SUPPLEMENT).count() == 1


def test_download_the_electronic_result_and_rate_it(client, world):
    _user, dossier = _submitted_and_processing(client, world)
    s = world.staff
    dossier = services.dossier_forward(actor=s[Role.SPECIALIST], dossier=dossier).dossier
    dossier = services.dossier_forward(
        actor=world.district_staff[Role.SPECIALIST], dossier=dossier
    ).dossier
    dossier = services.dossier_approve(actor=s[Role.AGENCY_LEADER], dossier=dossier).dossier
    dossier = services.dossier_mark_result_ready(
        actor=s[Role.RECEPTION_OFFICER], dossier=dossier, files=[pdf_upload("giay-khai-sinh.pdf")]
    ).dossier
    page = client.get(reverse("portal:my_dossier", args=[dossier.reference])).content.decode()
    assert "Tải kết quả" in page and "giay-khai-sinh.pdf" in page
    result = dossier.files.get(purpose=DossierFile.Purpose.RESULT)
    download = client.get(reverse("portal:my_file", args=[dossier.reference, result.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("portal:rate", args=[dossier.reference])).status_code == 200
    services.dossier_return_result(actor=s[Role.RECEPTION_OFFICER], dossier=dossier)
    half = client.post(reverse("portal:rate", args=[dossier.reference]), {"c_thai-do": "hai-long"})
    assert half.status_code == 400 and "Chọn mức đánh giá cho" in half.content.decode()
    answers = {f"c_{c}": "rat-hai-long" for c in ("thai-do", "thoi-gian", "thu-tuc", "ket-qua")}
    answers["c_thoi-gian"] = "khong-hai-long"
    client.post(reverse("portal:rate", args=[dossier.reference]), {**answers, "comment": "Hơi lâu"})
    rating = Rating.objects.get(dossier=dossier)
    assert rating.is_negative and rating.comment == "Hơi lâu" and rating.answers.count() == 4
    again = client.post(reverse("portal:rate", args=[dossier.reference]), answers, follow=True)
    assert "đã được đánh giá" in again.content.decode()


def test_withdraw_while_allowed(client, world):
    _user, dossier = _submitted_and_processing(client, world)
    client.post(
        reverse("portal:withdraw", args=[dossier.reference]),
        {"reasons": "Nộp nhầm thủ tục", "version": dossier.version},
    )
    dossier.refresh_from_db()
    assert dossier.state == State.WITHDRAWN
    page = client.get(reverse("portal:my_dossier", args=[dossier.reference])).content.decode()
    assert "Rút hồ sơ" in page and "Xác nhận rút hồ sơ" not in page
