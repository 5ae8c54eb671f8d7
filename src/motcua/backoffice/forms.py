"""Forms of the staff screens: the queue filters, one form for every action, the counter."""

from dataclasses import dataclass

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from motcua.catalog.models import Field
from motcua.dossiers import ownership
from motcua.dossiers.inputs import ACTION_INPUTS
from motcua.dossiers.lifecycle import State
from motcua.dossiers.models import ApplicantKind, Channel, Delivery
from motcua.org.models import Agency, Division, Role, User

SORTS = {
    "han": ("due_at", _("Hạn giải quyết (sớm trước)")),
    "-han": ("-due_at", _("Hạn giải quyết (muộn trước)")),
    "-nhan": ("-received_at", _("Mới tiếp nhận trước")),
    "nhan": ("received_at", _("Tiếp nhận lâu nhất trước")),
    "ma": ("code", _("Mã hồ sơ")),
}


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Mã hồ sơ, tên người nộp"), required=False, max_length=100)
    thu_tuc = forms.CharField(label=_("Mã thủ tục"), required=False, max_length=30)
    linh_vuc = forms.ModelChoiceField(
        label=_("Lĩnh vực"),
        queryset=Field.objects.all(),
        required=False,
        to_field_name="code",
        empty_label=_("Tất cả"),
    )
    trang_thai = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=[("", _("Tất cả")), *State.choices]
    )
    han_tu = forms.DateField(
        label=_("Hạn từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    han_den = forms.DateField(
        label=_("Hạn đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sap_xep = forms.ChoiceField(
        label=_("Sắp xếp"), required=False, choices=[(k, v[1]) for k, v in SORTS.items()]
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


@dataclass
class Candidates:
    """The people an action may hand the dossier to; `plan`: the step they would take."""

    people: QuerySet
    plan: object = None


class PersonChoice(forms.ModelChoiceField):
    """A person with his role or title, his division and how many dossiers he holds now."""

    def __init__(self, *args, role_label="", loads=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.role_label, self.loads = role_label, loads or {}

    def label_from_instance(self, user):
        title = user.job_title or self.role_label
        division = f", {user.division.name}" if user.division_id else ""
        load = self.loads.get(user.pk, 0)
        held = ngettext("%(n)s hồ sơ đang xử lý", "%(n)s hồ sơ đang xử lý", load) % {"n": load}
        return f"{user.full_name or user.username} — {title}{division} · {held}"


class ActionForm(forms.Form):
    """The inputs of one action, as ACTION_INPUTS lists them; the rest are dropped."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    missing_items = forms.CharField(
        label=_("Giấy tờ cần bổ sung, hoàn thiện (mỗi dòng một mục)"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reasons = forms.CharField(
        label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    new_appointment = forms.DateTimeField(
        label=_("Ngày giờ hẹn trả mới"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    assignee = forms.ModelChoiceField(label=_("Cán bộ xử lý"), queryset=User.objects.none())
    to_agency = forms.ModelChoiceField(
        label=_("Chuyển đến cơ quan khác (liên thông)"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("Theo quy trình"),
    )
    files = MultipleFileField(label=_("Tệp đính kèm"), required=False)
    result_summary = forms.CharField(
        label=_("Tóm tắt kết quả"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, action: str, staff=None, candidates=None, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        wanted = set(ACTION_INPUTS[action]) | {"version"}
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        if "assignee" in self.fields:
            if candidates is not None:
                self._offer(action, candidates)
            else:
                self.fields["assignee"].queryset = (
                    staff if staff is not None else User.objects.none()
                )
            self.fields["assignee"].required = action == "assign"
        if "to_agency" in self.fields:
            self.fields["to_agency"].queryset = (
                agencies if agencies is not None else Agency.objects.none()
            )
        if action == "mark_result_ready" and "files" in self.fields:
            self.fields["files"].label = _("Bản điện tử của kết quả (PDF, ảnh)")

    def _offer(self, action: str, candidates: Candidates) -> None:
        """The assignee list of the screen: the step's people, with role and load; for a
        hand-over, nobody chosen leaves the step to the division's "Chờ nhận việc"."""
        people = candidates.people.select_related("division").order_by("full_name", "username")
        plan = candidates.plan
        role = Role(plan.role).label if plan is not None else ""
        field = PersonChoice(
            queryset=people,
            label=self.fields["assignee"].label,
            required=False,
            role_label=role,
            loads=ownership.loads(people.values_list("pk", flat=True)),
        )
        if action == "forward" and plan is not None:
            field.label = _("Người thực hiện bước “%(s)s”") % {"s": plan.name}
            division = (
                Division.objects.filter(agency=plan.agency, code=plan.division_code)
                .values_list("name", flat=True)
                .first()
            )
            field.empty_label = _("Cả bộ phận nhận (%(who)s — Chờ nhận việc)") % {
                "who": division or f"{role}, {plan.agency.name}"
            }
            field.help_text = _(
                "Không chọn ai: hồ sơ vào hàng “Chờ nhận việc” của bộ phận, ai rảnh thì nhận."
            )
        self.fields["assignee"] = field

    def service_params(self) -> dict:
        data = dict(self.cleaned_data)
        params = {k: v for k, v in data.items() if k != "version" and v not in (None, "", [])}
        if "missing_items" in params:
            params["missing_items"] = [
                line for line in params["missing_items"].splitlines() if line.strip()
            ]
        if "files" in params:
            params["files"] = [(None, f) for f in params["files"]]
        params["expected_version"] = data["version"]
        return params


class CounterForm(forms.Form):
    """Reception at the counter: procedure, applicant, delivery, quantity."""

    procedure = forms.CharField(label=_("Thủ tục"), max_length=30)
    applicant_kind = forms.TypedChoiceField(
        label=_("Người nộp là"),
        choices=ApplicantKind.choices,
        coerce=int,
        initial=ApplicantKind.PERSON,
    )
    id_number = forms.CharField(label=_("Số định danh / mã số thuế"), required=False, max_length=20)
    name = forms.CharField(label=_("Họ tên người nộp / tên tổ chức"), max_length=200)
    phone = forms.CharField(label=_("Điện thoại"), required=False, max_length=20)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    address = forms.CharField(label=_("Địa chỉ"), required=False, max_length=300)
    notify_by = forms.MultipleChoiceField(
        label=_("Báo tình trạng hồ sơ qua"),
        choices=[("sms", _("SMS")), ("zns", _("Zalo")), ("email", _("Thư điện tử"))],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Không chọn: báo qua số điện thoại và thư điện tử đã ghi."),
    )
    channel = forms.TypedChoiceField(
        label=_("Kênh"),
        choices=[(Channel.COUNTER, Channel.COUNTER.label), (Channel.POST, Channel.POST.label)],
        coerce=int,
        initial=Channel.COUNTER,
    )
    delivery = forms.ChoiceField(
        label=_("Nhận kết quả"), choices=Delivery.choices, initial=Delivery.COUNTER
    )
    delivery_address = forms.CharField(
        label=_("Địa chỉ nhận kết quả"), required=False, max_length=300
    )
    quantity = forms.IntegerField(
        label=_("Số lượng (trang, bản)"), min_value=1, max_value=10000, initial=1
    )
    summary = forms.CharField(label=_("Trích yếu"), required=False, max_length=500)
    missing_items = forms.CharField(
        label=_("Giấy tờ còn thiếu (mỗi dòng một mục)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reasons = forms.CharField(
        label=_("Lý do từ chối tiếp nhận"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class HandoverForm(forms.Form):
    ngay = forms.DateField(
        label=_("Ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    hinh_thuc = forms.ChoiceField(
        label=_("Hình thức"),
        required=False,
        choices=[(Delivery.POST, _("Qua bưu chính công ích")), (Delivery.COUNTER, _("Tại quầy"))],
    )
