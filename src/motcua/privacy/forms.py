from django import forms
from django.utils.translation import gettext_lazy as _


class AccessFilterForm(forms.Form):
    can_bo = forms.CharField(
        label=_("Cán bộ (tên đăng nhập hoặc họ tên)"), required=False, max_length=150
    )
    ma = forms.CharField(label=_("Mã hồ sơ"), required=False, max_length=64)
    tu = forms.DateField(
        label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    den = forms.DateField(
        label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class SubjectRequestForm(forms.Form):
    so_dinh_danh = forms.RegexField(
        label=_("Số định danh cá nhân / mã số thuế của người yêu cầu"),
        regex=r"^[0-9A-Za-z-]{9,20}$",
        max_length=20,
        error_messages={"invalid": _("Nhập số định danh 9–20 chữ số.")},
    )
