"""The catalog filter form: every value optional, unknown values ignored rather than failing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Field, OnlineLevel
from motcua.org.models import Agency, Tier


class CatalogFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm thủ tục"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Ví dụ: khai sinh, chứng thực, giấy phép xây dựng"),
                "autocomplete": "off",
            }
        ),
    )
    field = forms.ChoiceField(label=_("Lĩnh vực"), required=False)
    agency = forms.ChoiceField(label=_("Cơ quan"), required=False)
    tier = forms.ChoiceField(
        label=_("Cấp thực hiện"), required=False, choices=[("", _("Tất cả")), *Tier.choices]
    )
    level = forms.ChoiceField(
        label=_("Mức độ"), required=False, choices=[("", _("Tất cả")), *OnlineLevel.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("Tất cả"))] + [
            (f.code, f.name) for f in Field.objects.filter(procedures__is_active=True).distinct()
        ]
        groups: dict[str, list[tuple[str, str]]] = {}
        for a in (
            Agency.objects.filter(procedures__isnull=False)
            .select_related("unit")
            .distinct()
            .order_by("unit__tier", "name")
        ):
            groups.setdefault(Tier(a.unit.tier).label, []).append((a.code, a.name))
        self.fields["agency"].choices = [("", _("Tất cả")), *groups.items()]

    def filters(self) -> dict:
        """Valid filters only; a bad value is dropped (and shown as an error) not a failure."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "query": data.get("q", ""),
            "field": data.get("field", ""),
            "agency": data.get("agency", ""),
            "tier": data.get("tier", ""),
            "online_level": data.get("level", ""),
        }

    def chosen(self) -> list[str]:
        """The names of the filters in force besides the words searched for, for the summary
        of the filter panel that a phone shows folded."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        names = []
        for name in ("field", "agency", "tier", "level"):
            if value := data.get(name):
                names += [label for key, label in _flat(self.fields[name].choices) if key == value]
        return names


def _flat(choices):
    """A select's choices with their groups (optgroups) opened."""
    for key, label in choices:
        if isinstance(label, list | tuple):
            yield from label
        else:
            yield key, label


class LookupForm(forms.Form):
    ma = forms.CharField(
        label=_("Mã hồ sơ"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    dt = forms.RegexField(
        label=_("4 số cuối điện thoại người nộp"),
        regex=r"^\s*[0-9]{4}\s*$",
        error_messages={"invalid": _("Nhập đúng 4 chữ số cuối của số điện thoại.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 4}
        ),
    )

    @classmethod
    def quick(cls, query) -> tuple[str, str] | None:
        """(code, 4 digits) when the query passes this form's rules, else None; checked without
        building the form, because the lookup is the busiest public path."""
        if "dt" not in query:
            return None
        code, digits = query.get("ma", "").strip(), query.get("dt", "").strip()
        if not code or len(code) > cls.base_fields["ma"].max_length:
            return None
        if len(digits) != 4 or not (digits.isascii() and digits.isdigit()):
            return None
        return code, digits


# --- citizen accounts ----------------------------------------------------------------------


class PlainForm(forms.Form):
    """Labels without Django's trailing colon, as Vietnamese forms are written."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ServiceCheckedForm(PlainForm):
    """Shapes and labels the input; the service checks it and names every mistake at once, in
    its own words. So no field is required here (the page still marks which ones are)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if field.required:
                field.widget.attrs["aria-required"] = "true"
                field.required = False


class SignUpForm(ServiceCheckedForm):
    full_name = forms.CharField(
        label=_("Họ và tên"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    contact = forms.CharField(
        label=_("Số điện thoại hoặc thư điện tử"),
        max_length=254,
        help_text=_("Dùng để đăng nhập và nhận thông báo về hồ sơ."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "email"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        max_length=128,
        help_text=_("Ít nhất 8 ký tự, không quá đơn giản."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class SignInForm(PlainForm):
    contact = forms.CharField(
        label=_("Số điện thoại hoặc thư điện tử"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "email"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ProfileForm(ServiceCheckedForm):
    kind = forms.TypedChoiceField(
        label=_("Bạn là"), coerce=int, choices=[(1, _("Công dân")), (2, _("Tổ chức, doanh nghiệp"))]
    )
    full_name = forms.CharField(
        label=_("Họ và tên (hoặc tên tổ chức)"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("Số định danh cá nhân (CCCD) hoặc mã số thuế"),
        max_length=13,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label=_("Thư điện tử"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "email", "autocomplete": "email"}),
    )
    address = forms.CharField(
        label=_("Địa chỉ"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )


# --- online submission ---------------------------------------------------------------------


NOTIFY_CHOICES = [
    ("sms", _("Tin nhắn SMS")),
    ("zns", _("Zalo")),
    ("email", _("Thư điện tử")),
]


class DraftForm(ServiceCheckedForm):
    """The applicant and delivery part of a draft; files are uploaded one component at a time."""

    applicant_name = forms.CharField(label=_("Họ tên người nộp (hoặc tên tổ chức)"), max_length=200)
    applicant_id_number = forms.CharField(
        label=_("Số định danh cá nhân (CCCD) hoặc mã số thuế"),
        max_length=13,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    applicant_phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    applicant_email = forms.CharField(
        label=_("Thư điện tử"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "email", "autocomplete": "email"}),
    )
    applicant_address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)
    applicant_notify_by = forms.MultipleChoiceField(
        label=_("Nhận thông báo về hồ sơ qua"),
        choices=NOTIFY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Có số điện thoại thì chọn ít nhất một cách."),
    )
    summary = forms.CharField(
        label=_("Nội dung đề nghị (không bắt buộc)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    delivery = forms.ChoiceField(label=_("Cách nhận kết quả"), widget=forms.RadioSelect)
    delivery_address = forms.CharField(
        label=_("Địa chỉ nhận kết quả qua bưu chính"), max_length=300, required=False
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivery"].choices = choices

    def service_input(self) -> dict:
        data = self.data
        return {
            "applicant": {
                "name": data.get("applicant_name", ""),
                "id_number": data.get("applicant_id_number", ""),
                "phone": data.get("applicant_phone", ""),
                "email": data.get("applicant_email", ""),
                "address": data.get("applicant_address", ""),
                # Ticked boxes, when the page showed them (none ticked sends nothing at all).
                "notify_by": data.getlist("applicant_notify_by")
                if data.get("notify_shown") and hasattr(data, "getlist")
                else None,
            },
            "delivery": data.get("delivery", ""),
            "delivery_address": data.get("delivery_address", ""),
            "summary": data.get("summary", ""),
        }


class ReasonForm(PlainForm):
    reasons = forms.CharField(
        label=_("Lý do"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- feedback ------------------------------------------------------------------------------


class FeedbackForm(ServiceCheckedForm):
    kind = forms.ChoiceField(label=_("Loại"), widget=forms.RadioSelect)
    title = forms.CharField(label=_("Tiêu đề"), max_length=200)
    content = forms.CharField(
        label=_("Nội dung"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    procedure = forms.CharField(
        label=_("Mã thủ tục liên quan (nếu có)"), max_length=20, required=False
    )
    agency = forms.ChoiceField(label=_("Cơ quan liên quan (nếu có)"), required=False)
    sender_name = forms.CharField(
        label=_("Họ tên người gửi"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    sender_phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    sender_email = forms.CharField(
        label=_("Thư điện tử"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "email", "autocomplete": "email"}),
    )
    allow_publish = forms.BooleanField(
        label=_("Đồng ý công khai nội dung và câu trả lời (không công khai tên, số điện thoại)"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        from .models import Feedback

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Feedback.Kind.choices
        self.fields["agency"].choices = [("", _("Không chọn"))] + [
            (str(a.pk), a.name)
            for a in Agency.objects.filter(valid_to__isnull=True).select_related("unit")
        ]
