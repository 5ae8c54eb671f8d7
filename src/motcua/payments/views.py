"""The citizen's online payment: off to the gateway, its IPN, the return page; the counter's
record of a refund of an overpayment; and the development gateway's own page
(`MOTCUA_PAYMENT_GATEWAY=local`, never in production)."""

import secrets
from urllib.parse import quote_plus

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from motcua.core import downloads
from motcua.core.ratelimit import client_address
from motcua.core.templatetags.humanize_vn import dong
from motcua.dossiers.errors import Conflict, InvalidInput, NotAllowed
from motcua.dossiers.selectors import find_visible
from motcua.org import permissions
from motcua.portal.accounts import citizen_required
from motcua.portal.selectors import my_dossier

from . import gateways, services
from .receipts import render_confirmation
from .selectors import paid_payment


def confirmation_response(dossier, payment_id: int) -> HttpResponse:
    """The PDF confirmation of one paid payment of `dossier` (404 for any other)."""
    payment = paid_payment(dossier, payment_id)
    if payment is None:
        raise Http404
    pdf = render_confirmation(payment)
    name = f"xac-nhan-nop-phi-{dossier.display_code}-{payment.pk}.pdf"
    return downloads.bytes_response(pdf, filename=name, content_type="application/pdf")


@citizen_required
@require_GET
def my_confirmation(request, reference, payment_id: int):
    return confirmation_response(my_dossier(request.user, reference), payment_id)


@citizen_required
@require_POST
def pay(request, reference):
    """Start paying what is left of the dossier's fees; the gateway takes it from here."""
    dossier = my_dossier(request.user, reference)
    try:
        _payment, url = services.payment_start_online(
            actor=request.user,
            dossier=dossier,
            gateway=gateways.active_gateway(),
            return_url=request.build_absolute_uri(reverse("payments:return")),
            client_ip=client_address(request),
            locale="en" if translation.get_language() == "en" else "vn",
        )
    except services.PaymentPending as exc:
        # Not a failure: the pending payment is listed on the dossier's page.
        messages.warning(request, exc.message)
        return redirect("portal:my_dossier", reference=reference)
    except (NotAllowed, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
        return redirect("portal:my_dossier", reference=reference)
    return redirect(url)


@login_required
@require_POST
def refund(request, key: str, payment_id: int):
    """The counter paid an overpayment back; the outcome is told on the dossier's page."""
    permissions.require(request.user, permissions.VIEW_STAFF_SITE)
    dossier = find_visible(request.user, key)
    if dossier is None:
        raise Http404
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        payment = services.payment_record_refund(
            actor=request.user,
            dossier=dossier,
            payment_id=payment_id,
            receipt_number=request.POST.get("refund_receipt_number", ""),
            expected_version=version,
        )
    except (Conflict, NotAllowed, InvalidInput) as exc:
        if isinstance(exc, InvalidInput):
            messages.error(request, " ".join(m for ms in exc.fields.values() for m in ms))
        else:
            messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Đã ghi nhận hoàn trả %(n)s (chứng từ %(r)s).")
            % {"n": dong(payment.overpaid), "r": payment.refund_receipt_number},
        )
    return redirect("backoffice:dossier", key=key)


@require_GET
def ipn(request):
    """VNPay's server-to-server notice (GET); the answer is the JSON its guide prescribes."""
    reply = services.payment_confirm(gateway=gateways.active_gateway(), params=request.GET)
    return JsonResponse(reply.as_json())


@require_GET
def payment_return(request):
    """Where the gateway sends the citizen back: what the IPN recorded, in plain words."""
    gateway = gateways.active_gateway()
    payment = services.payment_for_return(gateway=gateway, params=request.GET)
    if payment is None:
        return render(request, "payments/return.html", {"payment": None}, status=400)
    code = request.GET.get("vnp_ResponseCode", "")
    own = request.user.is_authenticated and request.user.pk == payment.dossier.owner_id
    return render(
        request,
        "payments/return.html",
        {
            "payment": payment,
            "gateway_text": gateways.RESPONSE_TEXT.get(code, gateways.RESPONSE_TEXT["99"]),
            "own": own,
        },
    )


# --- the development gateway ------------------------------------------------------------


def _local_gateway():
    gateway = gateways.active_gateway()
    if not isinstance(gateway, gateways.LocalGateway) or settings.ENVIRONMENT == "production":
        raise Http404
    return gateway


@csrf_exempt  # it stands for another site: the citizen arrives from motcua's own redirect
def sandbox(request):
    """The test gateway: checks the signed request like VNPay, lets the visitor pay or cancel,
    then sends the signed IPN (in-process) and the signed return, as VNPay would."""
    gateway = _local_gateway()
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    params = request.GET if request.method == "GET" else request.POST
    valid = gateway.verify(params) and params.get("vnp_Command") == "pay"
    raw = str(params.get("vnp_Amount") or "")
    context = {
        "valid": valid,
        "amount": int(raw) // 100 if raw.isdigit() else None,
        "order_info": params.get("vnp_OrderInfo", ""),
        "reference": params.get("vnp_TxnRef", ""),
        "params": sorted((k, v) for k, v in params.items() if k.startswith("vnp_")),
    }
    if not valid:
        return render(request, "payments/sandbox.html", context, status=400)
    if request.method == "GET":
        return render(request, "payments/sandbox.html", context)
    paid = request.POST.get("decision") == "pay"
    answer = {
        "vnp_TmnCode": gateway.tmn_code,
        "vnp_Amount": raw,
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": f"VNP{secrets.randbelow(10**8):08d}" if paid else "",
        "vnp_CardType": "ATM" if paid else "",
        "vnp_OrderInfo": params.get("vnp_OrderInfo", ""),
        "vnp_PayDate": gateways.stamp(timezone.now()),
        "vnp_ResponseCode": "00" if paid else "24",
        "vnp_TransactionNo": f"{secrets.randbelow(10**8):08d}",
        "vnp_TransactionStatus": "00" if paid else "02",
        "vnp_TxnRef": params.get("vnp_TxnRef", ""),
    }
    answer = {k: v for k, v in answer.items() if v}
    answer["vnp_SecureHash"] = gateway.signature(answer)
    services.payment_confirm(gateway=gateway, params=answer)
    query = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in answer.items())
    # The return address was part of the signed request: only motcua itself could set it.
    return redirect(f"{params.get('vnp_ReturnUrl')}?{query}")
