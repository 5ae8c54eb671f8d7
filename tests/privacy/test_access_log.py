"""Every staff read of a person's data is recorded, shown to the person, and reviewed by the
supervisor; reads that show no personal data, and the person's own, are not."""

import pytest
from django.urls import reverse

from motcua.org.models import Role
from motcua.privacy.models import PersonalDataAccess, Purpose
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_officers_reads_are_recorded_and_shown_to_the_citizen(client, world, online_dossier):
    d = online_dossier
    specialist = world.staff[Role.SPECIALIST]
    client.force_login(specialist)
    file_id = d.files.get().pk
    assert client.get(reverse("backoffice:dossier", args=[d.code])).status_code == 200
    headers = {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}  # no trusted proxy: not believed
    assert (
        client.get(reverse("backoffice:file", args=[d.code, file_id]), **headers).status_code == 200
    )
    assert client.get(reverse("backoffice:form", args=[d.code, "01"])).status_code == 200
    assert client.get(f"/api/v1/dossiers/{d.code}/").status_code == 200

    reads = list(PersonalDataAccess.objects.filter(user=specialist).order_by("pk"))
    assert [r.purpose for r in reads] == [
        Purpose.DOSSIER_PAGE,
        Purpose.FILE,
        Purpose.FORM,
        Purpose.API,
    ]
    assert all(r.dossier_id == d.pk and r.agency == world.commune_ubnd for r in reads)
    assert reads[1].file_id == file_id and reads[1].address == "127.0.0.1"
    assert "Chuyên viên xử lý" in reads[0].roles

    client.force_login(world.citizen)
    page = client.get(reverse("privacy:my_accesses")).content.decode()
    assert page.count(str(specialist)) == 4
    assert "UBND xã Thử" in page and "Mở tệp hồ sơ" in page and "Đọc hồ sơ qua API" in page
    assert d.code in page


def test_the_citizens_own_reads_and_progress_only_reads_are_not_recorded(
    client, world, online_dossier
):
    d = online_dossier
    client.force_login(world.citizen)
    assert client.get(reverse("portal:my_dossier", args=[d.reference])).status_code == 200
    client.force_login(world.staff[Role.SUPERVISOR])
    assert client.get(reverse("backoffice:dossier", args=[d.code])).status_code == 200
    assert client.get(f"/api/v1/dossiers/{d.code}/").json()["applicant_name"] is None
    # Only the reception officer's receiving the dossier read nothing either: it is a write.
    assert not PersonalDataAccess.objects.exists()


def test_another_citizen_sees_none_of_it(client, world, online_dossier):
    client.force_login(world.staff[Role.SPECIALIST])
    client.get(reverse("backoffice:dossier", args=[online_dossier.code]))
    stranger = UserFactory(is_staff=False)
    client.force_login(stranger)
    page = client.get(reverse("privacy:my_accesses")).content.decode()
    assert online_dossier.code not in page and "Chưa có cán bộ nào" in page


def test_an_export_with_names_is_one_record_naming_its_dossiers(client, world, online_dossier):
    other = world.receive()
    leader = world.staff[Role.AGENCY_LEADER]
    client.force_login(leader)
    export = client.get(reverse("monitoring:export") + "?chi_so=received")
    assert export.status_code == 200
    record = PersonalDataAccess.objects.get(purpose=Purpose.EXPORT)
    assert record.user == leader and record.count == 2
    assert set(record.dossiers.values_list("pk", flat=True)) == {online_dossier.pk, other.pk}
    client.force_login(world.citizen)
    page = client.get(reverse("privacy:my_accesses")).content.decode()
    assert str(leader) in page and "Xuất danh sách hồ sơ" in page


def test_a_supervisors_lists_and_exports_carry_no_names(client, world, online_dossier):
    client.force_login(world.staff[Role.SUPERVISOR])
    page = client.get(reverse("monitoring:dossiers") + "?chi_so=received").content.decode()
    assert online_dossier.code in page and "Trần Thị Cúc" not in page and "***" in page
    export = client.get(reverse("monitoring:export") + "?chi_so=received")
    register = client.get(reverse("monitoring:register"))
    for response in (export, register):
        assert response.status_code == 200 and "Trần Thị Cúc".encode() not in _cells(response)
    assert not PersonalDataAccess.objects.exists()


def _cells(response) -> bytes:
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(response.content)).active
    return " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value).encode()


def test_the_supervisor_reviews_reads_within_his_scope(client, world, online_dossier):
    d = online_dossier
    specialist = world.staff[Role.SPECIALIST]
    client.force_login(specialist)
    client.get(reverse("backoffice:dossier", args=[d.code]))
    assert client.get(reverse("privacy:access_log")).status_code == 403

    client.force_login(world.staff[Role.SUPERVISOR])
    url = reverse("privacy:access_log")
    assert str(specialist) in client.get(url).content.decode()
    assert str(specialist) in client.get(url, {"can_bo": specialist.username}).content.decode()
    assert str(specialist) in client.get(url, {"ma": d.code}).content.decode()
    assert str(specialist) not in client.get(url, {"ma": "KHAC-1"}).content.decode()
    assert (
        str(specialist)
        not in client.get(url, {"tu": "2001-01-01", "den": "2001-01-02"}).content.decode()
    )
    assert client.get(url, {"tu": "ngày mai"}).status_code == 200  # bad input: no filter, no 500

    client.force_login(world.outsider)  # a supervisor (and all else) of another commune
    assert str(specialist) not in client.get(url).content.decode()
