"""Every stored file goes out with the same protective headers, to officers and citizens
alike; only PDF, JPEG and PNG open in the browser; a citizen can download every file of their
own dossier, and nobody else's."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from motcua.core import downloads
from motcua.dossiers.models import Dossier, DossierFile
from motcua.org.models import Role
from tests.portal.citizen import citizen, online_world
from tests.world import PDF, pdf_upload

pytestmark = pytest.mark.django_db
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\r\xefF\xb8\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
VIETNAMESE = "Tờ khai đăng ký khai sinh.pdf"


def assert_protected(answer, *, inline: bool) -> None:
    assert answer.status_code == 200
    disposition = answer["Content-Disposition"]
    assert disposition.startswith("inline;" if inline else "attachment;"), disposition
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Content-Security-Policy"] == downloads.SANDBOX_CSP
    assert answer["Cache-Control"] == "private, no-store"


def planted(dossier, name: str, body: bytes, content_type: str) -> DossierFile:
    """A stored file of a type uploads refuse (as an older version or an import could leave)."""
    record = DossierFile(
        dossier=dossier,
        original_name=name,
        content_type=content_type,
        size=len(body),
        sha256="0" * 64,
        uploaded_at=timezone.now(),
    )
    record.file.save(name, ContentFile(body), save=False)
    record.save()
    return record


# --- the header itself -------------------------------------------------------------------


def test_a_vietnamese_name_has_an_ascii_fallback_and_the_exact_name():
    value = downloads.content_disposition(VIETNAMESE, inline=True)
    assert value == (
        'inline; filename="To khai dang ky khai sinh.pdf"; '
        "filename*=UTF-8''T%E1%BB%9D%20khai%20%C4%91%C4%83ng%20k%C3%BD%20khai%20sinh.pdf"
    )
    assert downloads.content_disposition("ket-qua.pdf", inline=False) == (
        'attachment; filename="ket-qua.pdf"'
    )


def test_a_name_cannot_break_out_of_the_header():
    value = downloads.content_disposition('a"; filename=x.html\r\nSet-Cookie: s=1.pdf', inline=True)
    assert "\r" not in value and "\n" not in value
    fallback = value.split('filename="', 1)[1].split('"', 1)[0]
    assert '"' not in fallback and ";" not in fallback


# --- officers ----------------------------------------------------------------------------


def test_staff_downloads_carry_the_headers_and_only_pdf_and_images_open_inline(client, world):
    dossier = world.receive(files=[pdf_upload(VIETNAMESE)])
    client.force_login(world.staff[Role.SPECIALIST])

    def get(record):
        return client.get(reverse("backoffice:file", args=[dossier.code, record.pk]))

    pdf = get(dossier.files.get())
    assert_protected(pdf, inline=True)
    assert "filename*=UTF-8''T%E1%BB%9D%20khai" in pdf["Content-Disposition"]
    assert b"".join(pdf.streaming_content) == PDF
    assert_protected(get(planted(dossier, "anh.png", PNG, "image/png")), inline=True)
    for name, body, kind in [
        ("hinh.svg", SVG, "image/svg+xml"),
        ("trang.html", b"<script>alert(1)</script>", "text/html"),
        ("bang.xlsx", b"PK\x03\x04", downloads.XLSX),
    ]:
        answer = get(planted(dossier, name, body, kind))
        assert_protected(answer, inline=False)
        assert answer["Content-Type"] == kind


# --- citizens ----------------------------------------------------------------------------


def _draft(client, world):
    online_world(world)
    owner = citizen()
    client.force_login(owner)
    client.get(reverse("portal:start", args=[world.procedure.national_code]))
    return owner, Dossier.objects.get(owner=owner)


def _upload(client, dossier, upload, **data):
    return client.post(
        reverse("portal:upload", args=[dossier.reference]),
        {"files": [upload], **data},
        HTTP_ACCEPT="application/json",
    )


def test_citizen_downloads_carry_the_same_headers(client, world):
    _owner, dossier = _draft(client, world)
    component = world.procedure.components.first().pk
    pdf = _upload(client, dossier, pdf_upload(VIETNAMESE), component=component).json()
    png = _upload(client, dossier, SimpleUploadedFile("anh.png", PNG), component=component).json()

    def get(file_id):
        return client.get(reverse("portal:my_file", args=[dossier.reference, file_id]))

    answer = get(pdf["files"][0]["id"])
    assert_protected(answer, inline=True)
    assert 'filename="To khai dang ky khai sinh.pdf"' in answer["Content-Disposition"]
    assert_protected(get(png["files"][0]["id"]), inline=True)
    svg = planted(dossier, "hinh.svg", SVG, "image/svg+xml")
    assert_protected(get(svg.pk), inline=False)


def test_a_file_sent_without_a_document_type_can_be_downloaded_by_its_owner_only(client, world):
    owner, dossier = _draft(client, world)
    sent = _upload(client, dossier, pdf_upload("giay-to-khac.pdf")).json()["files"][0]
    url = reverse("portal:my_file", args=[dossier.reference, sent["id"]])
    answer = client.get(url)
    assert_protected(answer, inline=True)
    assert b"".join(answer.streaming_content) == PDF
    for page in ("portal:draft", "portal:review"):
        html = client.get(reverse(page, args=[dossier.reference])).content.decode()
        assert "Giấy tờ khác" in html and url in html, page

    client.force_login(citizen("Người Khác", "0988000111"))
    assert client.get(url).status_code == 404
    client.force_login(world.staff[Role.SPECIALIST])  # a draft is not yet the agency's
    assert client.get(url).status_code in (403, 404)

    client.force_login(owner)
    client.post(reverse("portal:draft", args=[dossier.reference]), _complete())
    _upload(
        client,
        dossier,
        pdf_upload("to-khai.pdf"),
        component=dossier.procedure.components.first().pk,
    )
    dossier.refresh_from_db()
    client.post(reverse("portal:review", args=[dossier.reference]), {"version": dossier.version})
    dossier.refresh_from_db()
    assert dossier.state == "submitted"
    assert client.get(url).status_code == 200
    page = client.get(reverse("portal:my_dossier", args=[dossier.reference])).content.decode()
    assert url in page


def test_a_result_is_not_downloadable_before_it_is_ready(client, world):
    _owner, dossier = _draft(client, world)
    early = planted(dossier, "ket-qua.pdf", PDF, "application/pdf")
    early.purpose = DossierFile.Purpose.RESULT
    early.save()
    assert (
        client.get(reverse("portal:my_file", args=[dossier.reference, early.pk])).status_code == 404
    )


def _complete():
    return {
        "applicant_name": "Lê Thị Hoa",
        "applicant_id_number": "079200001234",
        "applicant_phone": "0903111222",
        "applicant_email": "",
        "applicant_address": "Ấp 3",
        "summary": "",
        "delivery": "electronic",
        "delivery_address": "",
    }
