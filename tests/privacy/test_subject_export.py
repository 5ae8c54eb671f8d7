"""A person's request for everything motcua holds about them: from their account, or
through a supervisor or administrator by ID number (recorded, and shown to the person)."""

import json
import zipfile
from io import BytesIO

import pytest
from django.urls import reverse

from motcua.org.models import Role
from motcua.portal.models import CitizenProfile, Feedback
from motcua.privacy.models import PersonalDataAccess, Purpose
from tests.factories import UserFactory
from tests.world import PDF

pytestmark = pytest.mark.django_db


def _zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(BytesIO(b"".join(response.streaming_content)))


def test_the_citizen_downloads_everything_held_about_him(client, world, online_dossier):
    Feedback.objects.create(
        title="Góp ý", content="Cảm ơn", sender_name="Trần Thị Cúc", sender=world.citizen
    )
    client.force_login(world.staff[Role.SPECIALIST])
    client.get(reverse("backoffice:dossier", args=[online_dossier.code]))

    client.force_login(world.citizen)
    archive = _zip(client.get(reverse("privacy:my_data")))
    account = json.loads(archive.read("tai-khoan.json"))
    dossiers = json.loads(archive.read("ho-so.json"))
    assert account[0]["username"] == "congdan"
    assert [d["code"] for d in dossiers] == [online_dossier.code]
    assert dossiers[0]["applicant"]["id_number"] == "079123456789"
    assert any(e["what"] == "Tiếp nhận hồ sơ" for e in dossiers[0]["events"])
    assert json.loads(archive.read("phan-anh.json"))[0]["title"] == "Góp ý"
    reads = json.loads(archive.read("truy-cap.json"))
    assert [r["officer"] for r in reads] == [str(world.staff[Role.SPECIALIST])]
    (scan,) = [n for n in archive.namelist() if n.startswith("tep/")]
    assert scan.endswith("cccd-tran-thi-cuc.pdf") and archive.read(scan) == PDF


def test_an_officer_cannot_use_the_citizens_export(client, world):
    client.force_login(world.staff[Role.SPECIALIST])
    assert client.get(reverse("privacy:my_data")).status_code == 403


def test_a_supervisor_answers_a_request_by_id_number_and_it_is_recorded(
    client, world, online_dossier
):
    supervisor = world.staff[Role.SUPERVISOR]
    client.force_login(supervisor)
    url = reverse("privacy:subject_request")
    archive = _zip(client.post(url, {"so_dinh_danh": "079123456789"}))
    assert [d["code"] for d in json.loads(archive.read("ho-so.json"))] == [online_dossier.code]
    record = PersonalDataAccess.objects.get(purpose=Purpose.SUBJECT_EXPORT)
    assert record.user == supervisor and list(record.dossiers.all()) == [online_dossier]

    nothing = client.post(url, {"so_dinh_danh": "012345678999"})
    assert nothing.status_code == 200 and "Không có dữ liệu" in nothing.content.decode()
    assert client.post(url, {"so_dinh_danh": "<script>"}).status_code == 400

    client.force_login(world.citizen)
    page = client.get(reverse("privacy:my_accesses")).content.decode()
    assert str(supervisor) in page and "yêu cầu của chủ thể dữ liệu" in page


def test_outside_his_scope_a_supervisor_finds_nothing_and_others_may_not_ask(
    client, world, online_dossier
):
    client.force_login(world.outsider)
    response = client.post(reverse("privacy:subject_request"), {"so_dinh_danh": "079123456789"})
    assert response.status_code == 200 and "Không có dữ liệu" in response.content.decode()
    for role in (Role.SPECIALIST, Role.MEETING_SECRETARY):
        client.force_login(world.staff[role])
        assert client.get(reverse("privacy:subject_request")).status_code == 403


def test_a_province_administrator_also_hands_over_the_account(client, world, online_dossier):
    CitizenProfile.objects.create(user=world.citizen, id_number="079123456789")
    admin = UserFactory(roles=[(Role.ADMINISTRATOR, world.province)])
    client.force_login(admin)
    archive = _zip(
        client.post(reverse("privacy:subject_request"), {"so_dinh_danh": "079123456789"})
    )
    account = json.loads(archive.read("tai-khoan.json"))
    assert account[0]["username"] == "congdan"
    assert account[0]["profile"]["id_number"] == "079123456789"
    assert PersonalDataAccess.objects.get(purpose=Purpose.SUBJECT_EXPORT).subject == world.citizen
