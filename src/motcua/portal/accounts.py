"""Citizen accounts: sign up, sign in (locally or through the national identity provider),
sign out, and the profile that prefills every dossier."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from motcua.core import lockout, ratelimit
from motcua.dossiers.errors import InvalidInput

from . import services
from .forms import ProfileForm, SignInForm, SignUpForm

SIGN_IN_PER_MINUTE = 10


def citizen_required(view):
    """Signed in with a citizen account. Staff accounts are for the staff site only: a page
    here never shows them a citizen's data, nor lets them act as one."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:sign_in"))
        if request.user.is_staff or request.user.is_superuser:
            return render(request, "portal/account/staff_here.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def oidc_enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID)


def _apply_errors(form, fields: dict) -> None:
    for field, texts in fields.items():
        name = field if field in form.fields else None
        for text in texts:
            form.add_error(name, text)


@require_http_methods(["GET", "POST"])
def sign_up(request):
    if not settings.MOTCUA["LOCAL_ACCOUNTS"]:
        return redirect("portal:sign_in")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.hit("sign-up", ratelimit.client_address(request), 20, window=3600):
            form.add_error(None, _("Quá nhiều lần đăng ký từ địa chỉ này. Vui lòng thử lại sau."))
        else:
            try:
                user = services.citizen_sign_up(
                    **{name: form.cleaned_data.get(name, "") for name in form.fields}
                )
            except InvalidInput as exc:
                _apply_errors(form, exc.fields)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    request,
                    _("Đã tạo tài khoản. Bổ sung số định danh và địa chỉ để điền sẵn vào hồ sơ."),
                )
                return redirect(_next_url(request, reverse("portal:profile")))
    return render(
        request,
        "portal/account/sign_up.html",
        {"form": form, "next": _next_url(request, ""), "oidc": oidc_enabled()},
    )


@require_http_methods(["GET", "POST"])
def sign_in(request):
    if request.user.is_authenticated and not request.user.is_staff:
        return redirect(_next_url(request, reverse("portal:my_dossiers")))
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address = ratelimit.client_address(request)
        if not ratelimit.hit("citizen-sign-in", address, SIGN_IN_PER_MINUTE):
            form.add_error(None, _("Quá nhiều lần đăng nhập. Vui lòng thử lại sau một phút."))
        else:
            contact = form.cleaned_data["contact"].strip()
            username = services.normalize_phone(contact) or contact.lower()
            locked = lockout.is_locked(lockout.PASSWORD, username, request)
            password = form.cleaned_data["password"]
            user = None if locked else authenticate(request, username=username, password=password)
            if locked:
                form.add_error(None, lockout.message())
            # Staff sign in on the staff site (with their second factor), never here.
            elif user is None or user.is_staff or user.is_superuser:
                form.add_error(None, _("Số điện thoại/thư điện tử hoặc mật khẩu không đúng."))
            else:
                login(request, user)
                return redirect(_next_url(request, reverse("portal:my_dossiers")))
    failed = request.GET.get("loi") == "dinh-danh"
    return render(
        request,
        "portal/account/sign_in.html",
        {
            "form": form,
            "next": _next_url(request, ""),
            "oidc": oidc_enabled(),
            "oidc_name": settings.MOTCUA["OIDC_NAME"],
            "local": settings.MOTCUA["LOCAL_ACCOUNTS"],
            "identity_failed": failed,
        },
    )


@require_POST
def sign_out(request):
    logout(request)
    return redirect("portal:home")


@citizen_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    account = services.citizen_profile(user)
    initial = {
        "kind": account.kind,
        "full_name": user.full_name,
        "id_number": account.id_number,
        "phone": user.phone,
        "email": user.email,
        "address": account.address,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if account.verified:  # as the identity provider confirmed them
        for name in ("full_name", "id_number"):
            form.fields[name].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.citizen_update_profile(user=user, data=form.cleaned_data)
        except InvalidInput as exc:
            _apply_errors(form, exc.fields)
        else:
            messages.success(request, _("Đã lưu thông tin cá nhân."))
            return redirect("portal:profile")
    return render(request, "portal/account/profile.html", {"form": form, "account": account})
