"""Two-factor enforcement for staff: a signed-in officer must pass TOTP before anything else."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .twofactor import two_factor_required


class RequireTwoFactorMiddleware:
    """Send a staff member who has not verified a TOTP code to the right page.

    Anyone who set up a device must use it; staff whose roles require a second factor
    (MOTCUA_REQUIRE_2FA, see twofactor.py) must set one up first. Public pages are untouched.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            target = self._redirect_for(request, user)
            if target and not self._exempt(request.path_info):
                return redirect(f"{target}?next={request.get_full_path()}")
        return self.get_response(request)

    @staticmethod
    def _redirect_for(request, user) -> str | None:
        if user.is_verified():
            return None
        from django_otp import user_has_device

        if user_has_device(user, confirmed=True):
            return reverse("org:verify")
        if two_factor_required(user):
            return reverse("org:two_factor_setup")
        return None

    @staticmethod
    def _exempt(path: str) -> bool:
        exempt = [
            reverse("org:verify"),
            reverse("org:two_factor_setup"),
            reverse("org:logout"),
            reverse("set_language"),
            settings.STATIC_URL
            if settings.STATIC_URL.startswith("/")
            else "/" + settings.STATIC_URL,
        ]
        staff_prefixes = ("/can-bo/", "/quan-tri/", "/en/can-bo/", "/en/quan-tri/")
        if not path.startswith(staff_prefixes):
            return True
        return any(path.startswith(p) for p in exempt)
