"""VNPay's published signing rule and its test vector (INTEGRATIONS.md), checking both ways."""

from datetime import datetime
from urllib.parse import parse_qsl, urlsplit

from motcua.payments.gateways import GMT7, VNPay, sign_data

SECRET = "TESTSECRETTESTSECRETTESTSECRET12"
PARAMS = {
    "vnp_Amount": "1806000",
    "vnp_Command": "pay",
    "vnp_CreateDate": "20210801153333",
    "vnp_CurrCode": "VND",
    "vnp_IpAddr": "127.0.0.1",
    "vnp_Locale": "vn",
    "vnp_OrderInfo": "Thanh toan don hang :5",
    "vnp_OrderType": "other",
    "vnp_ReturnUrl": "https://domainmerchant.vn/ReturnUrl",
    "vnp_TmnCode": "DEMOV210",
    "vnp_TxnRef": "5",
    "vnp_Version": "2.1.0",
}
SIGN_DATA = (
    "vnp_Amount=1806000&vnp_Command=pay&vnp_CreateDate=20210801153333&vnp_CurrCode=VND"
    "&vnp_IpAddr=127.0.0.1&vnp_Locale=vn&vnp_OrderInfo=Thanh+toan+don+hang+%3A5"
    "&vnp_OrderType=other&vnp_ReturnUrl=https%3A%2F%2Fdomainmerchant.vn%2FReturnUrl"
    "&vnp_TmnCode=DEMOV210&vnp_TxnRef=5&vnp_Version=2.1.0"
)
HASH = (
    "1df63df658975879020b608c8b0ca40d1010f94f9fbfe0b3e7e6ee8381c860bf1f1631be6f7f6865d118e341f0c7"
    "cb720b60d76a41ffd141d4580a0df64b419f"
)
GATEWAY = VNPay(tmn_code="DEMOV210", hash_secret=SECRET, pay_url="https://pay.example/vpcpay")


def test_the_published_example_signs_to_the_published_hash():
    # Shuffled, with an empty parameter and the hash fields, which the rule leaves out.
    shuffled = dict(reversed(list(PARAMS.items())))
    shuffled.update(vnp_BankCode="", vnp_SecureHashType="HmacSHA512", vnp_SecureHash="x")
    assert sign_data(shuffled) == SIGN_DATA
    assert GATEWAY.signature(shuffled) == HASH


def test_the_payment_address_carries_the_published_fields_and_verifies():
    url = GATEWAY.payment_url(
        reference="5",
        amount=18060,
        order_info="Thanh toan don hang :5",
        return_url="https://domainmerchant.vn/ReturnUrl",
        client_ip="127.0.0.1",
        created=datetime(2021, 8, 1, 15, 33, 33, tzinfo=GMT7),
    )
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://pay.example/vpcpay"
    params = dict(parse_qsl(parts.query))
    assert params["vnp_Amount"] == "1806000"  # đồng × 100
    assert params["vnp_ExpireDate"] == "20210801154833"
    assert "vnp_SecureHashType" not in params  # 2.1.0 does not send it
    without_expiry = {k: v for k, v in params.items() if k != "vnp_ExpireDate"}
    assert GATEWAY.signature(without_expiry) == HASH
    assert GATEWAY.verify(params)


def test_a_changed_amount_a_wrong_merchant_or_no_hash_does_not_verify():
    signed = {**PARAMS, "vnp_SecureHash": HASH}
    assert GATEWAY.verify(signed)
    assert GATEWAY.verify({**signed, "vnp_SecureHash": HASH.upper()})
    assert not GATEWAY.verify({**signed, "vnp_Amount": "1806100"})
    assert not GATEWAY.verify({k: v for k, v in signed.items() if k != "vnp_SecureHash"})
    other = VNPay(tmn_code="OTHER001", hash_secret=SECRET)
    assert not other.verify(signed)
    assert not VNPay(tmn_code="DEMOV210", hash_secret="another secret").verify(signed)


def test_paid_needs_both_the_response_and_the_transaction_status():
    base = {"vnp_TxnRef": "5", "vnp_Amount": "1806000", "vnp_PayDate": "20210801154000"}
    ok = GATEWAY.outcome({**base, "vnp_ResponseCode": "00", "vnp_TransactionStatus": "00"})
    assert ok.paid and ok.amount == 18060 and ok.paid_at.hour == 15
    suspected = GATEWAY.outcome({**base, "vnp_ResponseCode": "07", "vnp_TransactionStatus": "00"})
    pending = GATEWAY.outcome({**base, "vnp_ResponseCode": "00", "vnp_TransactionStatus": "01"})
    assert not suspected.paid and not pending.paid
    assert GATEWAY.outcome({**base, "vnp_Amount": "12x"}).amount is None
    assert GATEWAY.outcome({**base, "vnp_Amount": "1806050"}).amount is None  # not whole đồng
