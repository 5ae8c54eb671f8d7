"""The citizen's store (issue 17, point 6): in "Hồ sơ của tôi" the result is the signed copy,
with its signature badge; the unsigned draft it replaced is neither listed nor downloadable,
and nobody but the owner reaches either."""

import pytest
from django.urls import reverse

from motcua.dossiers import services
from motcua.dossiers.models import DossierFile
from motcua.dossiers.services import results
from motcua.org.models import Role
from tests.portal.citizen import citizen, online_world
from tests.portal.signed import approve_with_result, give_the_leader_a_key, sign_and_hand_over
from tests.signing.conftest import signing_settings, test_pki, two_page_pdf  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_online(world, test_pki, signing_settings, two_page_pdf):  # noqa: F811
    """A citizen's online dossier whose result the leader signed; registered as ready."""
    online_world(world)
    owner = citizen()
    give_the_leader_a_key(world, test_pki)
    draft = services.dossier_create_draft(
        owner=owner,
        procedure=world.procedure,
        agency=world.commune_ubnd,
        applicant={"name": "Lê Thị Hoa", "phone": "0903111222"},
    )
    dossier = services.dossier_submit(actor=owner, dossier=draft).dossier
    received = services.dossier_receive(
        actor=world.staff[Role.RECEPTION_OFFICER], dossier=dossier
    ).dossier
    dossier = sign_and_hand_over(world, approve_with_result(world, two_page_pdf, received))
    draft_result = DossierFile.objects.get(
        dossier=dossier, purpose=DossierFile.Purpose.RESULT, supersedes__isnull=True
    )
    signed = results.current_results(dossier).get()
    assert signed.supersedes_id == draft_result.pk and signed.is_signed
    return owner, dossier, draft_result, signed


def _file_url(dossier, f) -> str:
    return reverse("portal:my_file", args=[dossier.reference, f.pk])


def test_the_citizen_sees_and_downloads_only_the_signed_result(client, signed_online):
    owner, dossier, draft_result, signed = signed_online
    client.force_login(owner)
    page = client.get(reverse("portal:my_dossier", args=[dossier.reference])).content.decode()
    assert page.count('data-testid="result-file"') == 1
    assert _file_url(dossier, signed) in page and _file_url(dossier, draft_result) not in page
    assert f'data-testid="signature-{signed.pk}"' in page and 'data-status="valid"' in page
    assert "Chữ ký số hợp lệ" in page and "Đặng Quốc Hùng" in page
    assert reverse("portal:verify") in page

    download = client.get(_file_url(dossier, signed))
    assert download.status_code == 200
    with signed.file.open("rb") as f:
        assert b"".join(download.streaming_content) == f.read()
    # The unsigned draft it replaced is no longer the citizen's to download.
    assert client.get(_file_url(dossier, draft_result)).status_code == 404


def test_nobody_else_reaches_the_result(client, signed_online):
    _owner, dossier, _draft, signed = signed_online
    page_url = reverse("portal:my_dossier", args=[dossier.reference])
    anonymous = client.get(_file_url(dossier, signed))
    assert anonymous.status_code == 302 and reverse("portal:sign_in") in anonymous["Location"]
    client.force_login(citizen(full_name="Trần Văn Khác", contact="0988777666"))
    assert client.get(page_url).status_code == 404
    assert client.get(_file_url(dossier, signed)).status_code == 404
