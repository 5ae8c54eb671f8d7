"""What the API says: procedures, dossiers, events, and the input of each action."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from motcua.catalog.models import Component, Fee, Procedure
from motcua.dossiers.deadlines import dossier_timeliness
from motcua.dossiers.lifecycle import State
from motcua.dossiers.models import ApplicantKind, Channel, Delivery, Dossier, DossierEvent


class FeeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Fee
        fields = ["name", "kind", "formula", "amount", "unit_label", "tiers", "cap", "note"]


class ComponentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Component
        fields = ["id", "name", "originals", "copies", "required", "form_name", "note"]


class ProcedureListSerializer(serializers.ModelSerializer):
    field = serializers.CharField(source="field.name")
    processing_time_label = serializers.CharField()

    class Meta:
        model = Procedure
        fields = [
            "national_code",
            "name",
            "name_en",
            "field",
            "tiers",
            "online_level",
            "processing_time",
            "processing_unit",
            "processing_time_label",
        ]


class ProcedureDetailSerializer(ProcedureListSerializer):
    fees = FeeSerializer(many=True)
    components = ComponentSerializer(many=True)

    class Meta(ProcedureListSerializer.Meta):
        fields = [
            *ProcedureListSerializer.Meta.fields,
            "handling_agency",
            "cutoff",
            "applicant_types",
            "description",
            "conditions",
            "result",
            "legal_basis",
            "fees",
            "components",
        ]


class ApplicantSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ApplicantKind.choices, default=ApplicantKind.PERSON)
    name = serializers.CharField(max_length=200)
    id_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)


class IntakeSerializer(serializers.Serializer):
    """Receiving a dossier at the counter."""

    procedure = serializers.CharField(help_text=_("Mã thủ tục, ví dụ 1.001193"))
    agency = serializers.CharField(
        required=False, help_text=_("Mã cơ quan tiếp nhận; mặc định là cơ quan của cán bộ.")
    )
    applicant = ApplicantSerializer()
    channel = serializers.ChoiceField(
        choices=[Channel.COUNTER, Channel.POST], default=Channel.COUNTER
    )
    delivery = serializers.ChoiceField(choices=Delivery.choices, default=Delivery.COUNTER)
    delivery_address = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    summary = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    quantity = serializers.IntegerField(min_value=1, max_value=100000, default=1)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ActionSerializer(serializers.Serializer):
    """Input of any action; each action reads the fields the lifecycle table says it needs."""

    version = serializers.IntegerField(
        required=False, min_value=1, help_text=_("Phiên bản hồ sơ đã đọc; khác thì trả 409.")
    )
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    reasons = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    missing_items = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False, max_length=100
    )
    new_appointment = serializers.DateTimeField(required=False)
    assignee = serializers.CharField(required=False, help_text=_("Tên đăng nhập của cán bộ"))
    to_agency = serializers.CharField(required=False, help_text=_("Mã cơ quan nhận (liên thông)"))
    result_summary = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class EventSerializer(serializers.ModelSerializer):
    label = serializers.CharField()
    actor = serializers.CharField(source="actor_name")
    agency = serializers.CharField(source="actor_agency.name", default=None)

    class Meta:
        model = DossierEvent
        fields = [
            "seq",
            "action",
            "label",
            "from_state",
            "to_state",
            "actor",
            "agency",
            "at",
            "note",
            "data",
            "hash",
        ]


class PublicEventSerializer(serializers.Serializer):
    """A line of the public timeline (`dossiers.public_events`) without personal data: no
    officer's name, no notes. `title`, `awaited` and `awaited_by` are the applicant's words;
    `label` is the control sheet's."""

    seq = serializers.IntegerField()
    label = serializers.CharField()
    title = serializers.CharField()
    awaited = serializers.CharField(help_text=_("Điều đang chờ; trống khi không còn chờ gì"))
    awaited_by = serializers.DateTimeField(allow_null=True)
    to_state = serializers.CharField()
    agency = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField()


# Null for a caller who follows progress only (the context's "personal" says who may read).
PERSONAL_FIELDS = (
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "delivery_address",
)


class DossierSerializer(serializers.ModelSerializer):
    procedure = serializers.CharField(source="procedure.national_code")
    procedure_name = serializers.CharField(source="procedure.name")
    receiving_agency = serializers.CharField(source="receiving_agency.code")
    current_agency = serializers.CharField(source="current_agency.code")
    state_label = serializers.SerializerMethodField()
    national_status = serializers.IntegerField()
    timeliness = serializers.SerializerMethodField()
    assignee = serializers.CharField(source="assignee.username", default=None)

    class Meta:
        model = Dossier
        fields = [
            "code",
            "state",
            "state_label",
            "national_status",
            "procedure",
            "procedure_name",
            "applicant_kind",
            "applicant_name",
            "applicant_id_number",
            "applicant_phone",
            "applicant_email",
            "applicant_address",
            "summary",
            "receiving_agency",
            "current_agency",
            "channel",
            "delivery",
            "delivery_address",
            "quantity",
            "fee_due",
            "fee_paid",
            "assignee",
            "submitted_at",
            "received_at",
            "due_at",
            "appointment_at",
            "result_ready_at",
            "finished_at",
            "supplement_requests",
            "timeliness",
            "version",
        ]
        extra_kwargs = {name: {"allow_null": True} for name in PERSONAL_FIELDS}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        allowed = self.context.get("personal")
        if allowed is not None and not allowed(instance):
            data.update(dict.fromkeys(PERSONAL_FIELDS))
        return data

    def get_state_label(self, dossier) -> str:
        return str(State(dossier.state).label)

    def get_timeliness(self, dossier) -> str:
        return dossier_timeliness(dossier, now=timezone.now())


class LookupSerializer(serializers.Serializer):
    code = serializers.CharField()
    procedure_name = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    appointment_at = serializers.DateTimeField(allow_null=True)
    timeline = PublicEventSerializer(many=True)
