from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Payment


class CounterPaymentForm(forms.Form):
    """What the counter officer collected; the service checks it against what is left."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    amount = forms.IntegerField(
        label=_("Số tiền đã thu (đồng)"),
        min_value=1,
        max_value=10**12,
        error_messages={
            "required": _("Nhập số tiền đã thu (đồng), lớn hơn 0."),
            "invalid": _("Số tiền là một số nguyên đồng, không có dấu chấm hay phẩy."),
            "min_value": _("Nhập số tiền đã thu (đồng), lớn hơn 0."),
            "max_value": _("Số tiền quá lớn."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    method = forms.ChoiceField(
        label=_("Hình thức"),
        choices=[
            (Payment.Method.CASH, Payment.Method.CASH.label),
            (Payment.Method.TRANSFER, Payment.Method.TRANSFER.label),
        ],
        initial=Payment.Method.CASH,
        error_messages={
            "required": _("Chọn hình thức nộp tại quầy."),
            "invalid_choice": _("Chọn hình thức nộp tại quầy."),
        },
    )
    receipt_number = forms.CharField(label=_("Số biên lai (nếu có)"), max_length=40, required=False)
