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
