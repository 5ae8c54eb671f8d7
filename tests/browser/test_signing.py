"""Issue 17 in a real browser: the specialist attaches the result, the leader of Phường 1
signs it in one click and then signs a batch; each kind of PDF that comes in shows what its
signatures are worth, in a badge that opens its details."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from playwright.sync_api import expect

from motcua.catalog.models import Procedure
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierFile
from motcua.dossiers.services import results
from motcua.org.models import Agency, User
from motcua.signing import pki
from motcua.signing.models import KeyKind, SigningIdentity
from motcua.signing.pades import sign_pdf
from tests.browser.test_staff_flow import demo, desk  # noqa: F401 (fixtures)
from tests.signing.helpers import use_pki

WARD = "000.01.30.H39"
PASSPHRASE_ENV = "MOTCUA_BROWSER_P12_PASSPHRASE"


@pytest.fixture
def ward_pki(demo, settings, tmp_path, monkeypatch):  # noqa: F811
    """A PKI of the test's own; the leader of Phường 1 holds a key of it."""
    dev = pki.DevPki(tmp_path / "pki")
    dev.ensure("Tỉnh Long An")
    monkeypatch.setenv(PASSPHRASE_ENV, dev.passphrase().decode())
    settings.MEDIA_ROOT = tmp_path / "media"
    use_pki(settings, dev.directory)
    leader = User.objects.get(username="lanhdao.p1")
    issued = pki.issue_person(
        dev.intermediate(),
        full_name=leader.full_name,
        title=leader.job_title,
        agency_name="Ủy ban nhân dân phường 1",
        province="Long An",
    )
    SigningIdentity.objects.filter(user=leader).update(active=False)
    SigningIdentity.objects.create(
        user=leader,
        kind=KeyKind.PKCS12,
        config={"path": str(dev.write_signer("p1", issued)), "passphrase_env": PASSPHRASE_ENV},
    )
    stranger_root = pki.make_root("Tổ chức chứng thực lạ")
    stranger = pki.issue_person(stranger_root, full_name="Người Lạ")
    path = dev.signer_path("stranger")
    path.write_bytes(stranger.pkcs12(dev.passphrase(), [stranger_root.certificate]))
    stranger_identity = SigningIdentity(
        kind=KeyKind.PKCS12, config={"path": str(path), "passphrase_env": PASSPHRASE_ENV}
    )
    return leader, stranger_identity


def _result_pdf(title: str) -> bytes:
    from motcua.dossiers.forms_pdf import html_to_pdf

    return html_to_pdf(
        f"<html lang='vi'><body style='font-family: DejaVu Serif'><h1>{title}</h1>"
        "<p>Trích lục khai sinh của cháu Lê Minh Khang.</p></body></html>"
    )


def _at_the_specialist():
    """Received at Phường 1 and handed to its justice officer, through the services."""
    procedure = Procedure.objects.get(national_code="1.001193")
    dossier = services.dossier_receive_at_counter(
        actor=User.objects.get(username="tiepnhan.p1"),
        procedure=procedure,
        agency=Agency.objects.get(code=WARD),
        applicant={"name": "Lê Thị Hoa", "phone": "0903111222"},
    ).dossier
    return services.dossier_forward(
        actor=User.objects.get(username="tiepnhan.p1"),
        dossier=dossier,
        assignee=User.objects.get(username="tuphap.p1"),
    ).dossier


def _to_the_leader(dossier):
    return services.dossier_forward(
        actor=User.objects.get(username="tuphap.p1"), dossier=dossier
    ).dossier


def _file(name: str, data: bytes) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": data}


def _no_violations(page):
    found = Axe().run(page)
    serious = [v for v in found.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, found.generate_report()


def test_the_result_is_attached_signed_and_every_signature_shown(ward_pki, desk):  # noqa: F811
    leader_user, stranger = ward_pki
    dossier = _at_the_specialist()
    genuine = _result_pdf("TRÍCH LỤC KHAI SINH")
    signed_here = sign_pdf(
        _result_pdf("BẢN SAO ĐÃ KÝ"), SigningIdentity.objects.get(user=leader_user, active=True)
    ).pdf
    tampered = bytearray(signed_here)
    tampered[tampered.index(b"/MediaBox") + 2] ^= 0x01  # one byte changed after signing
    untrusted = sign_pdf(_result_pdf("KÝ BỞI TỔ CHỨC LẠ"), stranger, stamp=None, level="B-T").pdf

    specialist = desk("tuphap.p1")
    specialist.goto(f"/can-bo/ho-so/{dossier.code}/")
    panel = specialist.get_by_test_id("result-panel")
    panel.locator("details[data-action=attach_result] summary").click()
    panel.locator("input[type=file]").set_input_files(
        [
            _file("trich-luc.pdf", genuine),
            _file("da-ky.pdf", signed_here),
            _file("bi-sua.pdf", bytes(tampered)),
            _file("to-chuc-la.pdf", untrusted),
        ]
    )
    panel.get_by_role("button", name="Đính kèm").click()
    expect(specialist.locator(".message-success")).to_contain_text("Đã đính kèm 4 tệp kết quả")
    panel = specialist.get_by_test_id("result-panel")
    expect(panel.locator("li", has_text="trich-luc.pdf")).to_contain_text("Chưa ký số")
    expect(panel.locator("li", has_text="da-ky.pdf")).to_contain_text("Chữ ký số hợp lệ")
    broken = panel.locator("li", has_text="bi-sua.pdf").locator("details.sig")
    expect(broken).to_contain_text("Chữ ký số không hợp lệ")
    broken.locator("summary").click()
    expect(broken).to_contain_text("Nội dung đã bị thay đổi")
    untrusted_badge = panel.locator("li", has_text="to-chuc-la.pdf").locator("details.sig")
    expect(untrusted_badge).to_contain_text("Chữ ký số chưa được tin cậy")
    untrusted_badge.locator("summary").click()
    expect(untrusted_badge).to_contain_text("Người Lạ")
    expect(untrusted_badge).to_contain_text("Không xác định được tổ chức chứng thực tin cậy")
    # The specialist attaches; he does not sign.
    expect(specialist.locator("form[data-action=sign]")).to_have_count(0)
    _no_violations(specialist)

    # Only the genuine result stays for the leader to sign; the others are removed.
    DossierFile.objects.filter(
        dossier=dossier, original_name__in=["bi-sua.pdf", "to-chuc-la.pdf", "da-ky.pdf"]
    ).update(purpose=DossierFile.Purpose.ATTACHMENT)
    dossier = _to_the_leader(Dossier.objects.get(pk=dossier.pk))

    leader = desk("lanhdao.p1")
    leader.goto(f"/can-bo/ho-so/{dossier.code}/")
    leader.locator("form[data-action=sign]").get_by_role("button", name="Ký số kết quả").click()
    expect(leader.locator(".message-success")).to_contain_text("Đã ký số 1 tệp kết quả")
    badge = leader.get_by_test_id("result-panel").locator("details.sig")
    expect(badge).to_contain_text("Chữ ký số hợp lệ")
    badge.locator("summary").click()
    expect(badge).to_contain_text(leader_user.full_name)
    expect(badge).to_contain_text("Chưa bị thu hồi")
    expect(leader.locator(".timeline")).to_contain_text("Ký số kết quả giải quyết")
    expect(leader.locator("form[data-action=sign]")).to_have_count(0)


def test_a_leader_signs_a_batch_and_sees_each_outcome(ward_pki, desk):  # noqa: F811
    leader_user, _stranger = ward_pki
    dossiers = []
    for i in range(3):
        d = _at_the_specialist()
        results.dossier_attach_result(
            actor=User.objects.get(username="tuphap.p1"),
            dossier=d,
            files=[SimpleUploadedFile(f"kq-{i}.pdf", _result_pdf(f"KẾT QUẢ {i}"))],
        )
        dossiers.append(_to_the_leader(Dossier.objects.get(pk=d.pk)))
    leader = desk("lanhdao.p1")
    leader.goto("/can-bo/")
    leader.get_by_role("link", name="Ký số", exact=True).click()
    form = leader.get_by_test_id("signing-form")
    expect(form.locator("tbody tr")).to_have_count(3)
    _no_violations(leader)
    # One of them leaves the leader's hands before the batch runs.
    services.dossier_reject(actor=leader_user, dossier=dossiers[1], reasons="Không đủ điều kiện")
    form.get_by_role("button", name="Ký số các hồ sơ đã chọn").click()
    expect(leader.get_by_test_id("batch")).to_be_visible()
    call_command("db_worker", batch=True, startup_delay=False, interval=0)
    leader.reload()
    expect(leader.get_by_role("status")).to_contain_text(
        "Đã xong: 2 hồ sơ đã ký số, 1 hồ sơ không ký được"
    )
    expect(leader.locator("tr[data-status=signed]")).to_have_count(2)
    expect(leader.locator("tr[data-status=failed]")).to_contain_text("đang được giải quyết")
    _no_violations(leader)
