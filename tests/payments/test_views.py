"""The pages of a payment: the citizen off to the gateway and back, the IPN address, the
development gateway's page, and the counter's form on the staff dossier page."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse

from motcua.org.models import Role
from motcua.payments.models import Payment

from .ipn import ipn_params

pytestmark = pytest.mark.django_db


def _my_page(dossier):
    return reverse("portal:my_dossier", args=[dossier.reference])


def test_the_citizen_pays_through_the_gateway_and_sees_it_paid(
    client, world, online_dossier, gateway
):
    client.force_login(world.citizen)
    page = client.get(_my_page(online_dossier)).content.decode()
    assert "Còn phải nộp" in page and "Thanh toán trực tuyến 20.000 đ" in page
    to_gateway = client.post(reverse("portal:pay", args=[online_dossier.reference]))
    assert to_gateway.status_code == 302
    url = urlsplit(to_gateway["Location"])
    assert url.path == reverse("payments:sandbox")
    params = dict(parse_qsl(url.query))
    assert params["vnp_ReturnUrl"] == "http://testserver/thanh-toan/vnpay/ket-qua/"
    shown = client.get(to_gateway["Location"])
    assert shown.status_code == 200 and "20.000 đ" in shown.content.decode()
    back = client.post(reverse("payments:sandbox"), {**params, "decision": "pay"})
    assert back.status_code == 302 and back["Location"].startswith(params["vnp_ReturnUrl"])
    result = client.get(urlsplit(back["Location"]).path + "?" + urlsplit(back["Location"]).query)
    assert "Đã thanh toán phí, lệ phí" in result.content.decode()
    page = client.get(_my_page(online_dossier)).content.decode()
    assert "Thanh toán phí, lệ phí trực tuyến" in page  # the timeline
    assert "Thanh toán trực tuyến 20.000 đ" not in page  # nothing left to pay
    assert Payment.objects.get().status == Payment.Status.PAID


def test_a_cancel_at_the_gateway_shows_why_and_offers_to_pay_again(
    client, world, online_dossier, gateway
):
    client.force_login(world.citizen)
    to_gateway = client.post(reverse("portal:pay", args=[online_dossier.reference]))
    params = dict(parse_qsl(urlsplit(to_gateway["Location"]).query))
    back = client.post(reverse("payments:sandbox"), {**params, "decision": "cancel"})
    result = client.get(back["Location"].removeprefix("http://testserver")).content.decode()
    assert "Thanh toán không thành công" in result and "Khách hàng hủy giao dịch" in result
    page = client.get(_my_page(online_dossier)).content.decode()
    assert "Không thành công" in page and "Thanh toán trực tuyến 20.000 đ" in page


def test_the_ipn_address_answers_as_the_gateway_expects(client, world, online_dossier, gateway):
    client.force_login(world.citizen)
    client.post(reverse("portal:pay", args=[online_dossier.reference]))
    payment = Payment.objects.get()
    client.logout()  # the gateway has no session
    ipn = reverse("payments:ipn")
    assert client.get(ipn, {"vnp_TxnRef": payment.reference}).json()["RspCode"] == "97"
    assert client.get(ipn, ipn_params(gateway, payment)).json() == {
        "RspCode": "00",
        "Message": "Confirm Success",
    }
    assert client.get(ipn, ipn_params(gateway, payment)).json()["RspCode"] == "02"
    assert client.post(ipn, ipn_params(gateway, payment)).status_code == 405


def test_tampered_returns_and_sandbox_requests_are_refused(client, world, online_dossier, gateway):
    back = client.get(reverse("payments:return"), {"vnp_TxnRef": "MC1", "vnp_SecureHash": "00"})
    assert back.status_code == 400 and "Không xác minh được" in back.content.decode()
    bad = client.get(reverse("payments:sandbox"), {"vnp_Amount": "100", "vnp_SecureHash": "x"})
    assert bad.status_code == 400 and "không hợp lệ" in bad.content.decode()


def test_the_development_gateway_does_not_exist_elsewhere(client, settings):
    settings.MOTCUA = {**settings.MOTCUA, "PAYMENT_GATEWAY": "vnpay"}
    assert client.get(reverse("payments:sandbox")).status_code == 404
    settings.MOTCUA = {**settings.MOTCUA, "PAYMENT_GATEWAY": "local"}
    settings.ENVIRONMENT = "production"
    assert client.get(reverse("payments:sandbox")).status_code == 404


def test_without_a_gateway_there_is_no_pay_button(client, world, online_dossier, settings):
    settings.MOTCUA = {**settings.MOTCUA, "PAYMENT_GATEWAY": ""}
    client.force_login(world.citizen)
    page = client.get(_my_page(online_dossier)).content.decode()
    assert "Còn phải nộp" in page and "Thanh toán trực tuyến 20.000 đ" not in page
    refused = client.post(reverse("portal:pay", args=[online_dossier.reference]), follow=True)
    assert "Chưa có cổng thanh toán trực tuyến" in refused.content.decode()
    assert Payment.objects.count() == 0


def test_nobody_pays_for_someone_elses_dossier(client, world, online_dossier, gateway):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=False, username="nguoikhac"))
    assert client.post(reverse("portal:pay", args=[online_dossier.reference])).status_code == 404


def _staff_page(dossier):
    return reverse("backoffice:dossier", args=[dossier.code])


def test_the_counter_records_a_fee_on_the_dossier_page(client, world):
    dossier = world.receive()
    client.force_login(world.staff[Role.RECEPTION_OFFICER])
    page = client.get(_staff_page(dossier)).content.decode()
    assert "Ghi nhận đã thu phí" in page and 'value="20000"' in page
    fee = reverse("backoffice:fee", args=[dossier.code])
    wrong = client.post(fee, {"amount": "abc", "method": "cash", "version": dossier.version})
    assert wrong.status_code == 400 and "số nguyên đồng" in wrong.content.decode()
    over = client.post(fee, {"amount": "25000", "method": "cash", "version": dossier.version})
    assert over.status_code == 400 and "vượt quá" in over.content.decode()
    done = client.post(
        fee,
        {"amount": "20000", "method": "cash", "receipt_number": "0042", "version": dossier.version},
        follow=True,
    )
    text = done.content.decode()
    assert "Đã ghi nhận thu 20.000 đ." in text and "biên lai 0042" in text
    assert "Ghi nhận đã thu phí" not in text
    stale = client.post(fee, {"amount": "1", "method": "cash", "version": dossier.version - 1})
    assert stale.status_code == 302


def test_other_staff_see_the_fees_but_not_the_form(client, world):
    dossier = world.receive()
    client.force_login(world.staff[Role.SPECIALIST])
    page = client.get(_staff_page(dossier)).content.decode()
    assert "Phải nộp" in page and "Ghi nhận đã thu phí" not in page
    fee = reverse("backoffice:fee", args=[dossier.code])
    assert client.post(fee, {"amount": "20000", "method": "cash"}).status_code == 403
    client.force_login(world.outsider)
    assert client.post(fee, {"amount": "20000", "method": "cash"}).status_code == 404
    assert Payment.objects.count() == 0


def test_in_english_the_fees_and_their_errors_are_in_english(client, world):
    dossier = world.receive()
    page_url, fee_url = _staff_page(dossier), reverse("backoffice:fee", args=[dossier.code])
    client.force_login(world.staff[Role.RECEPTION_OFFICER])
    page = client.get("/en" + page_url).content.decode()
    assert "Record the fee collected" in page and "Left to pay" in page
    over = client.post(
        "/en" + fee_url,
        {"amount": "25000", "method": "cash", "version": dossier.version},
    )
    assert over.status_code == 400
    assert "The amount is more than what is left to pay (20,000 VND)." in over.content.decode()


def _pdf_text(content: bytes, tmp_path) -> str:
    import subprocess

    path = tmp_path / "xac-nhan.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_a_paid_fee_prints_its_confirmation_with_the_amount_in_words(client, world, tmp_path):
    from motcua.payments import services

    dossier = world.receive()
    payment = services.payment_record_at_counter(
        actor=world.staff[Role.RECEPTION_OFFICER],
        dossier=dossier,
        amount=20000,
        method="cash",
        receipt_number="0042",
    )
    url = reverse("backoffice:fee_confirmation", args=[dossier.code, payment.pk])
    client.force_login(world.staff[Role.SPECIALIST])
    page = client.get(_staff_page(dossier)).content.decode()
    assert url in page
    pdf = client.get(url)
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(_pdf_text(pdf.content, tmp_path).split())
    assert "GIẤY XÁC NHẬN ĐÃ NỘP PHÍ, LỆ PHÍ" in text
    assert "Hai mươi nghìn đồng." in text and "20.000 đ" in text
    assert "Số biên lai thu phí, lệ phí: 0042" in text and dossier.code in text
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404


def test_the_citizen_prints_the_confirmation_of_an_online_payment(
    client, world, online_dossier, gateway, tmp_path
):
    from motcua.payments import services

    payment, _url = services.payment_start_online(
        actor=world.citizen,
        dossier=online_dossier,
        gateway=gateway,
        return_url="http://testserver/thanh-toan/vnpay/ket-qua/",
        client_ip="127.0.0.1",
    )
    mine = reverse("portal:payment_confirmation", args=[online_dossier.reference, payment.pk])
    client.force_login(world.citizen)
    assert client.get(mine).status_code == 404  # not paid yet
    services.payment_confirm(gateway=gateway, params=ipn_params(gateway, payment))
    text = " ".join(_pdf_text(client.get(mine).content, tmp_path).split())
    assert "Thanh toán trực tuyến" in text and payment.reference in text
    assert "theo xác nhận của cổng thanh toán" in text
