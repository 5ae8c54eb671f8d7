"""REST API v1: thin views that parse input, call one service or selector, and answer."""

from django.contrib.auth import authenticate
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from motcua.catalog.models import Procedure
from motcua.catalog.selectors import procedure_detail, procedure_list
from motcua.core import lockout, ratelimit
from motcua.dossiers import services
from motcua.dossiers.errors import InvalidInput
from motcua.dossiers.inputs import ACTION_INPUTS
from motcua.dossiers.lifecycle import ACTIONS
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import (
    cached_public_lookup_hit,
    control_sheet,
    find_visible,
    lookup_cache_entry,
    may_view_personal,
    public_timeline,
)
from motcua.notify.tally import count_lookup
from motcua.org.models import Agency, Role, User
from motcua.org.selectors import active_assignments
from motcua.org.twofactor import two_factor_required
from motcua.privacy import access
from motcua.privacy.models import Purpose

from . import filters
from .serializers import (
    ActionSerializer,
    DossierSerializer,
    EventSerializer,
    IntakeSerializer,
    LookupSerializer,
    ProcedureDetailSerializer,
    ProcedureListSerializer,
)

LOCKED_HEADERS = {"Retry-After": "900"}


class TokenThrottle(AnonRateThrottle):
    scope = "token"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    otp_token = serializers.CharField(max_length=12, required=False, allow_blank=True)


class TokenView(APIView):
    """Exchange a staff member's username and password (and TOTP code) for an API token."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [TokenThrottle]

    @extend_schema(
        request=inline_serializer(
            "TokenRequest",
            {
                "username": serializers.CharField(),
                "password": serializers.CharField(),
                "otp_token": serializers.CharField(required=False),
            },
        ),
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
    )
    def post(self, request):
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        username, password = form.validated_data["username"], form.validated_data["password"]
        if lockout.is_locked(lockout.PASSWORD, username, request):
            return Response({"detail": lockout.message()}, status=429, headers=LOCKED_HEADERS)
        user = authenticate(request, username=username, password=password)
        if user is None or not user.is_staff:
            return Response({"detail": _("Tên đăng nhập hoặc mật khẩu không đúng.")}, status=400)
        from django_otp import match_token, user_has_device

        if user_has_device(user, confirmed=True) or two_factor_required(user):
            account = str(user.pk)
            if lockout.is_locked(lockout.SECOND_FACTOR, account, request):
                return Response({"detail": lockout.message()}, status=429, headers=LOCKED_HEADERS)
            device = match_token(user, form.validated_data.get("otp_token", ""))
            if device is None:
                lockout.failed(lockout.SECOND_FACTOR, account, request)
                return Response({"otp_token": [_("Cần mã xác thực hai lớp hợp lệ.")]}, status=400)
            lockout.succeeded(lockout.SECOND_FACTOR, account, request)
        lockout.succeeded(lockout.PASSWORD, username, request)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class ProcedureList(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = ProcedureListSerializer

    @extend_schema(parameters=[OpenApiParameter("q", str, description="tìm không dấu")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return procedure_list(query=str(self.request.query_params.get("q", ""))[:200])


class ProcedureDetail(generics.RetrieveAPIView):
    permission_classes = [AllowAny]
    serializer_class = ProcedureDetailSerializer
    queryset = Procedure.objects.none()

    def get_object(self):
        found = procedure_detail(self.kwargs["national_code"])
        if found is None:
            raise Http404
        return found


def _dossier_for(request, code: str) -> Dossier:
    found = find_visible(request.user, code, filters.visible(request.user))
    if found is None:
        raise Http404
    return found


def _flagged(dossier) -> bool:
    return getattr(dossier, "shows_personal", True)


class DossierList(generics.ListCreateAPIView):
    """Dossiers whose progress the caller follows; the applicant's data only where he may
    read it (else null), and each page that shows it recorded."""

    serializer_class = DossierSerializer

    @extend_schema(parameters=filters.PARAMETERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        qs = filters.apply(filters.visible(self.request.user), self.request.query_params)
        return access.with_personal_flag(self.request.user, qs)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "personal": _flagged}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        shown = [d.pk for d in (page if page is not None else queryset) if d.shows_personal]
        if shown:
            access.record_read(self.request, purpose=Purpose.API, dossiers=shown)
        return page

    @extend_schema(request=IntakeSerializer, responses={201: DossierSerializer})
    def post(self, request, *args, **kwargs):
        data = IntakeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        procedure = Procedure.objects.filter(
            national_code=values["procedure"], is_active=True
        ).first()
        if procedure is None:
            raise InvalidInput(
                {"procedure": [_("Không có thủ tục mã %(c)s.") % {"c": values["procedure"]}]}
            )
        agency = _receiving_agency(request.user, values.get("agency"))
        files = [(None, f) for f in request.FILES.getlist("files")]
        result = services.dossier_receive_at_counter(
            actor=request.user,
            procedure=procedure,
            agency=agency,
            applicant=dict(values["applicant"]),
            channel=values["channel"],
            delivery=values["delivery"],
            delivery_address=values["delivery_address"],
            summary=values["summary"],
            quantity=values["quantity"],
            note=values["note"],
            files=files,
        )
        return Response(DossierSerializer(result.dossier).data, status=status.HTTP_201_CREATED)


def _receiving_agency(user, code: str | None) -> Agency:
    if code:
        agency = Agency.objects.filter(code=code).select_related("unit").first()
        if agency is None:
            raise InvalidInput({"agency": [_("Không có cơ quan mã %(c)s.") % {"c": code}]})
        return agency
    for assignment in active_assignments(user):
        if assignment.role == Role.RECEPTION_OFFICER and assignment.agency_id:
            return assignment.agency
    raise InvalidInput({"agency": [_("Chọn cơ quan tiếp nhận.")]})


class DossierDetail(generics.RetrieveAPIView):
    serializer_class = DossierSerializer
    queryset = Dossier.objects.none()

    def get_object(self):
        dossier = _dossier_for(self.request, self.kwargs["code"])
        dossier.shows_personal = may_view_personal(self.request.user, dossier)
        if dossier.shows_personal:
            access.record_read(self.request, purpose=Purpose.API, dossier=dossier)
        return dossier

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "personal": _flagged}


class DossierEvents(generics.ListAPIView):
    serializer_class = EventSerializer
    pagination_class = None
    queryset = Dossier.objects.none()

    def get_queryset(self):
        dossier = _dossier_for(self.request, self.kwargs["code"])
        personal = may_view_personal(self.request.user, dossier)
        return access.masked_events(control_sheet(dossier), personal)


class DossierAction(APIView):
    """Take an action of the lifecycle table: 200 new state; 403; 409; 400."""

    @extend_schema(
        request=ActionSerializer,
        responses={200: DossierSerializer},
        parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH, enum=list(ACTIONS))],
    )
    def post(self, request, code: str, action: str):
        if action not in ACTIONS:
            raise Http404
        dossier = _dossier_for(request, code)
        data = ActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = _action_params(action, data.validated_data, request)
        result = services.perform(action, actor=request.user, dossier=dossier, **params)
        body = DossierSerializer(result.dossier).data
        body["warnings"] = result.warnings
        return Response(body)


def _action_params(action: str, values: dict, request) -> dict:
    wanted = ACTION_INPUTS[action]
    params = {k: v for k, v in values.items() if k in wanted}
    if "assignee" in params:
        user = User.objects.filter(username=params["assignee"], is_active=True).first()
        if user is None:
            raise InvalidInput(
                {"assignee": [_("Không có cán bộ %(u)s.") % {"u": params["assignee"]}]}
            )
        params["assignee"] = user
    if "to_agency" in params:
        agency = Agency.objects.filter(code=params["to_agency"]).first()
        if agency is None:
            raise InvalidInput(
                {"to_agency": [_("Không có cơ quan mã %(c)s.") % {"c": params["to_agency"]}]}
            )
        params["to_agency"] = agency
    if "files" in wanted:
        params["files"] = [(None, f) for f in request.FILES.getlist("files")]
    params["expected_version"] = values.get("version")
    return params


class DossierForm(APIView):
    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, code: str, number: str):
        from motcua.dossiers import forms_pdf

        dossier = _dossier_for(request, code)
        access.require_personal(request.user, dossier)
        access.record_read(request, purpose=Purpose.FORM, dossier=dossier)
        try:
            if number == "07":
                day = timezone.localtime(dossier.received_at or timezone.now()).date()
                pdf = forms_pdf.render_register(dossier.receiving_agency, day, day)
            else:
                pdf = forms_pdf.render_form(number, dossier)
        except LookupError as exc:
            return Response({"detail": str(exc)}, status=404)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{dossier.code}-mau-{number}.pdf"'
        return response


class Lookup(APIView):
    """Public lookup by code and the last four digits of the phone: no personal data.

    Like the page, it refuses an address after too many wrong answers in a minute, and keeps
    each answer in the shared cache until the dossier changes.
    """

    permission_classes = [AllowAny]
    authentication_classes: list = []
    renderer_classes = [JSONRenderer]

    @extend_schema(
        parameters=[OpenApiParameter("phone", str, required=True, description="4 số cuối")],
        responses={200: LookupSerializer},
    )
    def get(self, request, code: str):
        refused, prefetched = ratelimit.guess_check(
            request, "lookup", code[:64], also=[lookup_cache_entry("api", code[:64])]
        )
        if refused:
            return Response(
                {
                    "detail": _(
                        "Có quá nhiều lần tra cứu sai từ địa chỉ này hoặc với mã hồ sơ này. Vui lòng thử lại sau."
                    )
                },
                status=429,
                headers={"Retry-After": "60"},
            )
        hit = cached_public_lookup_hit(
            "api",
            code[:64],
            str(request.query_params.get("phone", ""))[:20],
            self.answer,
            prefetched=prefetched,
        )
        count_lookup("api", hit.agency_id if hit else None, found=hit is not None)
        if hit is None:
            ratelimit.guess_failed(request, "lookup", code[:64])
            return Response(
                {"detail": _("Không tìm thấy hồ sơ với mã và số điện thoại này.")}, status=404
            )
        # The cache holds the JSON itself: a repeated lookup is served without re-rendering.
        return HttpResponse(hit.answer, content_type="application/json")

    @staticmethod
    def answer(dossier) -> bytes:
        data = LookupSerializer(
            {
                "code": dossier.code,
                "procedure_name": dossier.procedure.name,
                "state": dossier.state,
                "state_label": dossier.get_state_display(),
                "received_at": dossier.received_at,
                "due_at": dossier.due_at,
                "appointment_at": dossier.appointment_at,
                "timeline": public_timeline(dossier),
            }
        ).data
        return JSONRenderer().render(data)
