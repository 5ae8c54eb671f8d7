"""A leader signs a dossier's electronic result; a procedure may require it before the result
is handed over; many results are signed in one batch, each with its own outcome."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.dossiers import services
from motcua.dossiers.audit import verify_dossier
from motcua.dossiers.errors import InvalidInput, NotAllowed
from motcua.dossiers.lifecycle import State
from motcua.dossiers.models import DossierFile, SigningBatch, SigningBatchItem
from motcua.dossiers.services import results
from motcua.org.models import Role
from motcua.signing.models import KeyKind, SigningIdentity
from motcua.signing.validation import validate_pdf
from tests.world import at_the_leader

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader_key(world, test_pki, signing_settings):
    leader = world.staff[Role.AGENCY_LEADER]
    return SigningIdentity.objects.create(
        user=leader, kind=KeyKind.PKCS12, config=test_pki.p12_config("leader")
    )


def _pdf(two_page_pdf, name="quyet-dinh.pdf"):
    return SimpleUploadedFile(name, two_page_pdf, content_type="application/pdf")


def _approved_with_result(world, two_page_pdf, *, name="quyet-dinh.pdf"):
    """At the leader's step, approved, with the result's PDF attached by the specialist."""
    dossier = services.dossier_forward(
        actor=world.staff[Role.RECEPTION_OFFICER], dossier=world.receive()
    ).dossier
    results.dossier_attach_result(
        actor=world.staff[Role.SPECIALIST], dossier=dossier, files=[_pdf(two_page_pdf, name)]
    )
    dossier = at_the_leader(world, dossier)
    return services.dossier_approve(actor=world.staff[Role.AGENCY_LEADER], dossier=dossier).dossier


def test_the_leader_signs_the_result_and_the_control_sheet_says_so(world, leader_key, two_page_pdf):
    dossier = _approved_with_result(world, two_page_pdf)
    draft = results.current_results(dossier).get()
    assert draft.signature_status == "none" and not draft.is_signed

    outcome = results.dossier_sign_results(actor=world.staff[Role.AGENCY_LEADER], dossier=dossier)

    assert outcome.ok, outcome.error
    signed = results.current_results(dossier).get()
    assert signed.supersedes_id == draft.pk and signed.is_signed
    with signed.file.open("rb") as f:
        verdict = validate_pdf(f.read())
    assert verdict.status == "valid" and verdict.signatures[0].trusted
    assert signed.signature["signatures"][0]["signer_name"] == "Đặng Quốc Hùng"
    event = dossier.events.order_by("-seq").first()
    assert event.action == "sign_result" and event.label == "Ký số kết quả giải quyết"
    detail = event.data["signatures"][0]
    assert detail["sha256_before"] == draft.sha256 and detail["sha256_after"] == signed.sha256
    assert detail["certificate_serial"] and "Đặng Quốc Hùng" in detail["subject"]
    dossier.refresh_from_db()
    assert verify_dossier(dossier, list(dossier.events.order_by("seq"))) == []
    # Nothing left to sign: a second click says so.
    with pytest.raises(NotAllowed):
        results.dossier_sign_results(actor=world.staff[Role.AGENCY_LEADER], dossier=dossier)


def test_a_procedure_that_requires_signed_results_refuses_an_unsigned_one(
    world, leader_key, two_page_pdf
):
    world.procedure.signed_result_required = True
    world.procedure.save()
    dossier = _approved_with_result(world, two_page_pdf)
    clerk = world.staff[Role.RECEPTION_OFFICER]
    with pytest.raises(InvalidInput) as refused:
        services.dossier_mark_result_ready(actor=clerk, dossier=dossier)
    assert "ký số" in refused.value.fields["files"][0]
    dossier.refresh_from_db()
    assert dossier.state == State.PROCESSING and dossier.result_ready_at is None

    assert results.dossier_sign_results(actor=world.staff[Role.AGENCY_LEADER], dossier=dossier).ok
    dossier.refresh_from_db()
    # An unsigned file added at the counter is refused too: every PDF of the result is signed.
    with pytest.raises(InvalidInput):
        services.dossier_mark_result_ready(
            actor=clerk, dossier=dossier, files=[_pdf(two_page_pdf, "phu-luc.pdf")]
        )
    done = services.dossier_mark_result_ready(actor=clerk, dossier=dossier).dossier
    assert done.state == State.RESULT_READY


def test_only_those_who_approve_sign_and_only_with_their_own_key(
    world, signing_settings, two_page_pdf
):
    dossier = _approved_with_result(world, two_page_pdf)
    with pytest.raises(PermissionDenied):
        results.dossier_sign_results(actor=world.staff[Role.SPECIALIST], dossier=dossier)
    with pytest.raises(NotAllowed) as no_key:
        results.dossier_sign_results(actor=world.staff[Role.AGENCY_LEADER], dossier=dossier)
    assert "chưa có khóa ký số" in no_key.value.message
    with pytest.raises(PermissionDenied):
        results.dossier_sign_results(actor=world.outsider, dossier=dossier)


def _processing_with_result(world, pdf: bytes, i: int):
    """Being processed, with its result's PDF attached: what a leader may sign."""
    dossier = services.dossier_forward(
        actor=world.staff[Role.RECEPTION_OFFICER], dossier=world.receive()
    ).dossier
    results.dossier_attach_result(
        actor=world.staff[Role.SPECIALIST],
        dossier=dossier,
        files=[SimpleUploadedFile(f"kq-{i}.pdf", pdf, content_type="application/pdf")],
    )
    return dossier


def test_a_batch_of_a_hundred_signs_each_and_one_failure_stops_nothing(
    world, leader_key, two_page_pdf
):
    leader = world.staff[Role.AGENCY_LEADER]
    ready = [_processing_with_result(world, two_page_pdf, i) for i in range(100)]
    # One of them leaves the leader's hands before the batch runs: it was rejected meanwhile.
    services.dossier_reject(actor=leader, dossier=ready[37], reasons="Không đủ điều kiện")
    batch = results.signing_batch_create(actor=leader, dossiers=ready)
    # The task runs after the commit (the test's transaction never commits): run it here.
    results.sign_batch(SigningBatch.objects.get(pk=batch.pk))

    batch.refresh_from_db()
    assert batch.status == SigningBatch.Status.DONE and batch.finished_at is not None
    items = list(batch.items.order_by("order"))
    assert [i.status for i in items] == ["signed"] * 37 + ["failed"] + ["signed"] * 62
    assert "đang được giải quyết" in items[37].message
    for i, dossier in enumerate(ready):
        if i != 37:
            assert all(f.is_signed for f in results.current_results(dossier))
    assert SigningBatchItem.objects.filter(batch=batch, files=1).count() == 99
    assert DossierFile.objects.filter(purpose="result", signature_status="valid").count() == 99


def test_an_empty_batch_and_a_leader_without_a_key_are_told_why(world, signing_settings):
    leader = world.staff[Role.AGENCY_LEADER]
    with pytest.raises(InvalidInput):
        results.signing_batch_create(actor=leader, dossiers=[])
    with pytest.raises(NotAllowed):
        results.signing_batch_create(actor=leader, dossiers=[world.receive()])
    assert not SigningBatch.objects.exists()


def test_the_api_refuses_an_unsigned_result_as_the_screen_does(world, leader_key, two_page_pdf):
    from rest_framework.test import APIClient

    world.procedure.signed_result_required = True
    world.procedure.save()
    dossier = _approved_with_result(world, two_page_pdf)
    client = APIClient()
    client.force_authenticate(world.staff[Role.RECEPTION_OFFICER])
    url = f"/api/v1/dossiers/{dossier.code}/actions/mark_result_ready/"
    answer = client.post(url, {"files": [_pdf(two_page_pdf, "kq.pdf")]}, format="multipart")
    assert answer.status_code == 400
    assert "ký số" in str(answer.json())
    dossier.refresh_from_db()
    assert dossier.state == State.PROCESSING

    assert results.dossier_sign_results(actor=world.staff[Role.AGENCY_LEADER], dossier=dossier).ok
    assert client.post(url, {}, format="json").status_code == 200
    dossier.refresh_from_db()
    assert dossier.state == State.RESULT_READY


def test_the_staff_screen_refuses_an_unsigned_result_and_says_why(
    world, leader_key, two_page_pdf, client
):
    world.procedure.signed_result_required = True
    world.procedure.save()
    dossier = _approved_with_result(world, two_page_pdf)
    client.force_login(world.staff[Role.RECEPTION_OFFICER])
    answer = client.post(
        f"/can-bo/ho-so/{dossier.code}/thao-tac/mark_result_ready/",
        {
            "mark_result_ready-version": dossier.version,
            "mark_result_ready-files": _pdf(two_page_pdf, "kq.pdf"),
        },
    )
    assert answer.status_code == 400
    assert "yêu cầu kết quả điện tử có ký số" in answer.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == State.PROCESSING
    # The leader's page offers the signature; the clerk's does not.
    assert b'data-action="sign"' not in client.get(f"/can-bo/ho-so/{dossier.code}/").content
    client.force_login(world.staff[Role.AGENCY_LEADER])
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert 'data-action="sign"' in page and "Chưa ký số" in page
    client.post(f"/can-bo/ho-so/{dossier.code}/ket-qua/ky-so/", {"version": dossier.version})
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "Chữ ký số hợp lệ" in page and 'data-action="sign"' not in page


def test_the_citizen_sees_what_the_signatures_of_his_own_files_are_worth(
    world, leader_key, two_page_pdf, client
):
    """A certificate signed by an agency, uploaded by the applicant: the badge is on his page."""
    from django.urls import reverse

    from motcua.signing.pades import sign_pdf

    signed = sign_pdf(two_page_pdf, leader_key).pdf
    draft = services.dossier_create_draft(
        owner=world.citizen,
        procedure=world.procedure,
        agency=world.commune_ubnd,
        applicant={"name": "Trần Thị Cúc", "phone": "0987654321"},
        files=[SimpleUploadedFile("giay-xac-nhan.pdf", signed, content_type="application/pdf")],
    )
    services.dossier_submit(actor=world.citizen, dossier=draft)
    client.force_login(world.citizen)
    page = client.get(reverse("portal:my_dossier", args=[draft.reference])).content.decode()
    assert "giay-xac-nhan.pdf" in page and "Chữ ký số hợp lệ" in page
    assert "Đặng Quốc Hùng" in page
