"""Payment gateways behind one small interface.

`VNPay` speaks VNPay's published API 2.1.0: the payment URL signed with HMAC-SHA512 over the
sorted, form-encoded `vnp_*` parameters, and the same signature checked on the return and IPN
parameters (INTEGRATIONS.md). The development gateway is the same protocol pointed at motcua's
own test page (`payments:sandbox`) with a development secret, so the whole path — signature,
IPN, return page — runs locally exactly as it will against the real gateway.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

VERSION = "2.1.0"
HASH_FIELDS = ("vnp_SecureHash", "vnp_SecureHashType")
GMT7 = ZoneInfo("Asia/Ho_Chi_Minh")
STAMP = "%Y%m%d%H%M%S"
SANDBOX_URL = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
# The development gateway's own merchant code and secret: never valid anywhere else.
LOCAL_TMN_CODE = "MOTCUA01"
LOCAL_SECRET = "motcua-local-gateway-development-secret"


def sign_data(params: dict[str, str]) -> str:
    """The string VNPay signs: every non-empty vnp_* parameter but the hash fields, sorted by
    key, keys and values form-encoded (space as +)."""
    pairs = sorted(
        (k, str(v))
        for k, v in params.items()
        if k.startswith("vnp_") and k not in HASH_FIELDS and v not in (None, "")
    )
    return "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in pairs)


def stamp(moment: datetime) -> str:
    return moment.astimezone(GMT7).strftime(STAMP)


def parse_stamp(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, STAMP).replace(tzinfo=GMT7)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Outcome:
    """What a signed return or IPN says about one payment."""

    reference: str
    amount: int | None  # đồng (the gateway sends × 100); None if unreadable
    paid: bool
    response_code: str
    transaction_no: str
    bank_code: str
    paid_at: datetime | None


class VNPay:
    name = "vnpay"
    label = "VNPay"
    # How long the gateway takes a payment after it was started (vnp_ExpireDate).
    expiry_minutes = 15

    def __init__(self, *, tmn_code: str, hash_secret: str, pay_url: str = SANDBOX_URL):
        self.tmn_code = tmn_code
        self.hash_secret = hash_secret
        self.pay_url = pay_url

    def signature(self, params: dict[str, str]) -> str:
        data = sign_data(params).encode()
        return hmac.new(self.hash_secret.encode(), data, hashlib.sha512).hexdigest()

    def payment_params(
        self,
        *,
        reference: str,
        amount: int,
        order_info: str,
        return_url: str,
        client_ip: str,
        created: datetime,
        locale: str = "vn",
    ) -> dict[str, str]:
        params = {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(amount * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": reference,
            "vnp_OrderInfo": order_info,
            "vnp_OrderType": "other",
            "vnp_Locale": "en" if locale == "en" else "vn",
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": client_ip or "127.0.0.1",
            "vnp_CreateDate": stamp(created),
            "vnp_ExpireDate": stamp(self.expiry(created)),
        }
        params["vnp_SecureHash"] = self.signature(params)
        return params

    def expiry(self, created: datetime) -> datetime:
        return created + timedelta(minutes=self.expiry_minutes)

    def payment_url(self, **kwargs) -> str:
        params = self.payment_params(**kwargs)
        query = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in params.items())
        return f"{self.pay_url}?{query}"

    def verify(self, params) -> bool:
        given = str(params.get("vnp_SecureHash") or "").lower()
        if not given or params.get("vnp_TmnCode") != self.tmn_code:
            return False
        return hmac.compare_digest(given, self.signature(dict(params.items())))

    @staticmethod
    def outcome(params) -> Outcome:
        raw = str(params.get("vnp_Amount") or "")
        amount = int(raw) // 100 if raw.isdigit() and int(raw) % 100 == 0 else None
        code = str(params.get("vnp_ResponseCode") or "")
        status = str(params.get("vnp_TransactionStatus") or "")
        return Outcome(
            reference=str(params.get("vnp_TxnRef") or ""),
            amount=amount,
            # Paid means both codes say so (the response alone is not enough).
            paid=code == "00" and status == "00",
            response_code=code,
            transaction_no=str(params.get("vnp_TransactionNo") or "")[:40],
            bank_code=str(params.get("vnp_BankCode") or "")[:20],
            paid_at=parse_stamp(str(params.get("vnp_PayDate") or "")),
        )


class LocalGateway(VNPay):
    """VNPay's protocol against motcua's own test page: for development and tests only."""

    name = "local"
    label = _("Cổng thanh toán thử nghiệm")

    def __init__(self):
        super().__init__(
            tmn_code=LOCAL_TMN_CODE, hash_secret=LOCAL_SECRET, pay_url=reverse("payments:sandbox")
        )


def active_gateway() -> VNPay | None:
    """The gateway the province configured, or None when online payment is not offered."""
    conf = settings.MOTCUA["PAYMENT_GATEWAY"]
    if conf == "vnpay":
        return VNPay(
            tmn_code=settings.MOTCUA["VNPAY_TMN_CODE"],
            hash_secret=settings.MOTCUA["VNPAY_HASH_SECRET"],
            pay_url=settings.MOTCUA["VNPAY_URL"],
        )
    if conf == "local":
        return LocalGateway()
    return None


# VNPay's response codes, as its guide lists them, for the citizen's return page.
RESPONSE_TEXT = {
    "00": _("Giao dịch thành công"),
    "07": _("Trừ tiền thành công, giao dịch bị nghi ngờ"),
    "09": _("Thẻ/tài khoản chưa đăng ký dịch vụ Internet Banking"),
    "10": _("Xác thực thông tin thẻ/tài khoản không đúng quá 3 lần"),
    "11": _("Đã hết hạn chờ thanh toán"),
    "12": _("Thẻ/tài khoản bị khóa"),
    "13": _("Nhập sai mật khẩu xác thực giao dịch (OTP)"),
    "24": _("Khách hàng hủy giao dịch"),
    "51": _("Tài khoản không đủ số dư"),
    "65": _("Tài khoản đã vượt quá hạn mức giao dịch trong ngày"),
    "75": _("Ngân hàng thanh toán đang bảo trì"),
    "79": _("Nhập sai mật khẩu thanh toán quá số lần quy định"),
    "99": _("Lỗi khác"),
}
