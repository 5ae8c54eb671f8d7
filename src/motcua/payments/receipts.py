"""The payment confirmation (giấy xác nhận đã nộp phí, lệ phí) as an A4 PDF.

It is not the legal receipt (biên lai, Decree 11/2020), which the collecting agency issues
from its own receipt books or its registered electronic receipts: it names that receipt's
number when the counter recorded one, or the gateway's transaction for an online payment.
"""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.money import dong_in_words
from motcua.dossiers import forms_data as data
from motcua.dossiers.forms_pdf import html_to_pdf, qr_data_uri

from .models import Payment


def render_confirmation(payment: Payment) -> bytes:
    if payment.status != Payment.Status.PAID:
        raise LookupError(_("Chỉ in xác nhận cho khoản đã thanh toán."))
    dossier = payment.dossier
    paid_day = timezone.localtime(payment.paid_at).date()
    context = {
        **data.base_context(dossier, None, paid_day),
        "form_title": _("Giấy xác nhận đã nộp phí, lệ phí").upper(),
        "payment": payment,
        "paid_at": data.moment(payment.paid_at),
        "amount_words": dong_in_words(payment.amount),
        "fees": list(dossier.procedure.fees.order_by("order", "pk")),
        "collector": payment.recorded_by.full_name if payment.recorded_by_id else "",
    }
    context["qr"] = qr_data_uri(context["lookup_url"])
    return html_to_pdf(render_to_string("payments/confirmation.html", context))
