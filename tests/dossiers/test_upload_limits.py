"""Decompression bombs are refused at upload, by the counter and by the citizen alike: images
whose header claims too many pixels, and ZIP, Word or Excel files that unpack to too much.
Every bomb is built here from a real header and a tiny body, so the suite stays fast."""

import io
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from motcua.core import spreadsheets
from motcua.dossiers.files import check_upload
from motcua.dossiers.models import Dossier, DossierFile
from motcua.org.models import Role
from tests.portal.citizen import citizen, online_world

GB = 1024**3


def real_png(width=4, height=3) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG")
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A small real PNG whose IHDR (with a correct checksum) claims `width` × `height`."""
    data = bytearray(real_png())
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def jpeg_claiming(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "JPEG")
    data = bytearray(out.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def zip_of(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in entries.items():
            archive.writestr(name, body)
    return out.getvalue()


def zip_with_one_huge_entry(size: int = 2 * GB) -> bytes:
    """A real ZIP whose one entry unpacks to `size` zero bytes, from a 10 MB deflate stream:
    after a full flush the compressor forgets its history, so one flushed megabyte of zeros
    compresses to the same bytes every time and can be repeated."""
    chunk = bytes(1024 * 1024)
    squeeze = zlib.compressobj(1, zlib.DEFLATED, -15)
    block = squeeze.compress(chunk) + squeeze.flush(zlib.Z_FULL_FLUSH)
    stream = block * (size // len(chunk)) + squeeze.flush()
    crc = 0
    for _ in range(size // len(chunk)):
        crc = zlib.crc32(chunk, crc)
    name = b"du-lieu.bin"
    local = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(stream), size, len(name), 0
    )
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50,
        20,
        20,
        0,
        8,
        0,
        0,
        crc,
        len(stream),
        size,
        len(name),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    directory_at = len(local) + len(name) + len(stream)
    directory = central + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(directory), directory_at, 0)
    return local + name + stream + directory + end


@pytest.fixture(scope="module")
def two_gb_zip() -> bytes:
    return zip_with_one_huge_entry()


def refused(body: bytes, name: str) -> str:
    with pytest.raises(ValidationError) as caught:
        check_upload(SimpleUploadedFile(name, body))
    return " ".join(caught.value.messages)


# --- images ------------------------------------------------------------------------------


def test_a_png_claiming_20000_by_20000_pixels_is_refused():
    message = refused(png_claiming(20_000, 20_000), "anh-to.png")
    assert "anh-to.png" in message and "20000 × 20000" in message
    assert "40.000.000" in message


def test_a_jpeg_claiming_too_many_pixels_is_refused():
    assert "12000 × 9000" in refused(jpeg_claiming(12_000, 9_000), "chup.jpg")


def test_ordinary_photos_and_scans_are_accepted():
    assert check_upload(SimpleUploadedFile("a.png", real_png(1200, 900))).kind == "png"
    assert check_upload(SimpleUploadedFile("a.jpg", jpeg_claiming(4961, 7016))).kind == "jpeg"


def test_the_pixel_limit_is_a_setting(settings):
    settings.MOTCUA = {**settings.MOTCUA, "MAX_IMAGE_PIXELS": 1000}
    assert "40 × 40" in refused(real_png(40, 40), "nho.png")
    assert check_upload(SimpleUploadedFile("nho.png", real_png(30, 30))).kind == "png"


def test_a_damaged_image_header_is_refused():
    garbage = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    assert "không phải ảnh hợp lệ" in refused(garbage, "hong.png")
    bad_checksum = bytearray(png_claiming(10, 10))
    bad_checksum[30] ^= 0xFF
    assert "hong.png" in refused(bytes(bad_checksum), "hong.png")
    assert "không phải ảnh hợp lệ" in refused(b"\xff\xd8\xff\xe0" + b"\x00" * 40, "hong.jpg")


# --- archives ----------------------------------------------------------------------------


def test_a_zip_with_a_2_gb_entry_is_refused(two_gb_zip):
    assert len(two_gb_zip) < 20 * 1024 * 1024  # it passes the upload size limit
    assert zipfile.ZipFile(io.BytesIO(two_gb_zip)).infolist()[0].file_size == 2 * GB
    message = refused(two_gb_zip, "bom.zip")
    assert "bom.zip" in message and "200 MB" in message


def test_an_entry_that_compresses_a_thousandfold_is_refused():
    message = refused(zip_of({"so-0.txt": bytes(50 * 1024 * 1024)}), "nen.zip")
    assert "so-0.txt" in message and "100 lần" in message


def test_an_entry_that_lies_about_its_size_is_refused():
    body = bytearray(zip_of({"a.txt": bytes(3 * 1024 * 1024)}))
    body[22:26] = struct.pack("<I", 1000)  # the local header's size
    directory = body.index(b"PK\x01\x02")
    body[directory + 24 : directory + 28] = struct.pack("<I", 1000)
    assert "bị hỏng" in refused(bytes(body), "doi.zip")


def test_too_many_entries_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(10_001):
            archive.writestr(f"{n}.txt", b"")
    assert "10.000" in refused(out.getvalue(), "nhieu.zip")


def test_one_level_of_nested_zip_is_accepted_and_two_are_refused():
    inner = zip_of({"giay-to.pdf": b"%PDF-1.4 trang"})
    assert check_upload(SimpleUploadedFile("ho-so.zip", zip_of({"a.zip": inner}))).kind == "zip"
    twice = zip_of({"b.zip": zip_of({"a.zip": inner})})
    assert "lồng nhau" in refused(twice, "long.zip")


def test_an_inner_archive_counts_against_the_total(settings):
    settings.MOTCUA = {**settings.MOTCUA, "MAX_UNZIPPED_MB": 1}
    inner = zip_of({"a.txt": bytes(700 * 1024)})
    outer = zip_of({"b.txt": bytes(600 * 1024), "a.zip": inner})
    assert "1 MB" in refused(outer, "tong.zip")


def test_an_oversized_image_inside_a_word_file_is_refused():
    docx = zip_of(
        {
            "word/document.xml": b"<w:document/>",
            "word/media/image1.png": png_claiming(30_000, 30_000),
        }
    )
    message = refused(docx, "don.docx")
    assert "don.docx" in message and "word/media/image1.png" in message
    assert "30000 × 30000" in message


def test_password_protected_archives_are_refused():
    body = bytearray(zip_of({"a.txt": b"bi mat"}))
    body[6] |= 0x1
    directory = body.index(b"PK\x01\x02")
    body[directory + 8] |= 0x1
    assert "mật khẩu" in refused(bytes(body), "khoa.zip")


def test_real_office_files_are_accepted():
    book = spreadsheets.new_workbook()
    for n in range(2000):
        book.active.append([n, "Nguyễn Văn Bình", "Ấp 3, xã Thử"])
    xlsx = spreadsheets.workbook_bytes(book)
    assert check_upload(SimpleUploadedFile("danh-sach.xlsx", xlsx)).kind == "xlsx"
    docx = zip_of(
        {
            "word/document.xml": (
                "<w:document>" + "<w:p>Tờ khai</w:p>" * 5000 + "</w:document>"
            ).encode(),
            "word/media/image1.png": real_png(800, 600),
            "word/embeddings/bang.xlsx": xlsx,
        }
    )
    assert check_upload(SimpleUploadedFile("to-khai.docx", docx)).kind == "docx"


# --- both ways in: the counter and the citizen's draft ------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_anything(media) -> bool:
    return any(path.is_file() for path in media.rglob("*"))


@pytest.mark.parametrize("bomb", ["png", "zip"])
def test_the_counter_refuses_a_bomb_and_receives_nothing(client, world, media, bomb, request):
    body = png_claiming(20_000, 20_000) if bomb == "png" else request.getfixturevalue("two_gb_zip")
    name = f"bom.{bomb}"
    component = world.procedure.components.first()
    client.force_login(world.staff[Role.RECEPTION_OFFICER])
    answer = client.post(
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
            f"file_{component.pk}": [SimpleUploadedFile(name, body)],
        },
    )
    assert answer.status_code == 400
    assert name in answer.content.decode()
    assert not Dossier.objects.filter(applicant_name="Phạm Thị Lan").exists()
    assert not DossierFile.objects.exists() and not stored_anything(media)


@pytest.mark.parametrize("bomb", ["png", "zip"])
def test_a_citizen_draft_refuses_a_bomb_and_keeps_nothing(client, world, media, bomb, request):
    body = png_claiming(20_000, 20_000) if bomb == "png" else request.getfixturevalue("two_gb_zip")
    online_world(world)
    client.force_login(citizen())
    client.get(reverse("portal:start", args=[world.procedure.national_code]))
    draft = Dossier.objects.get(state="draft")
    answer = client.post(
        reverse("portal:upload", args=[draft.reference]),
        {
            "component": world.procedure.components.first().pk,
            "files": [SimpleUploadedFile(f"bom.{bomb}", body)],
        },
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code == 400
    assert f"bom.{bomb}" in " ".join(answer.json()["errors"])
    assert not draft.files.exists() and not stored_anything(media)
    assert not draft.events.filter(action="attach_files").exists()
