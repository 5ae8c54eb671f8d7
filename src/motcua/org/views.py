"""Staff sign-in with optional or required TOTP, and the staff home page."""

import segno
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from motcua.core import lockout

from . import services
from .forms import StaffLoginForm, TokenForm


def _next_url(request, default: str = "backoffice:home") -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    from django.urls import reverse

    return reverse(default)


class StaffLoginView(LoginView):
    template_name = "org/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("Bạn đã đăng xuất."))
    return redirect("org:login")


@login_required
def verify(request):
    form = TokenForm(request.POST or None)
    account = str(request.user.pk)
    if request.method == "POST" and form.is_valid():
        if lockout.is_locked(lockout.SECOND_FACTOR, account, request):
            form.add_error("token", lockout.message())
        else:
            device = match_token(request.user, form.cleaned_data["token"])
            if device is not None and device.confirmed:
                lockout.succeeded(lockout.SECOND_FACTOR, account, request)
                otp_login(request, device)
                return redirect(_next_url(request))
            lockout.failed(lockout.SECOND_FACTOR, account, request)
            form.add_error("token", _("Mã xác thực không đúng hoặc đã hết hạn."))
    return render(request, "org/verify.html", {"form": form, "next": request.GET.get("next", "")})


@login_required
def two_factor_setup(request):
    device = services.totp_device_start(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.totp_device_confirm(
            user=request.user, device=device, token=form.cleaned_data["token"]
        ):
            otp_login(request, device)
            messages.success(request, _("Đã bật xác thực hai lớp."))
            return redirect(_next_url(request))
        form.add_error("token", _("Mã xác thực không đúng. Kiểm tra giờ trên điện thoại."))
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("Mã QR"))
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "org/two_factor_setup.html",
        {"form": form, "qr_svg": qr_svg, "secret": secret, "next": request.GET.get("next", "")},
    )
