"""Refusing input that no field may hold: NUL characters, which PostgreSQL cannot store."""

from django.http import JsonResponse
from django.utils.translation import gettext as _

_TEXT_BODIES = ("application/json", "application/x-www-form-urlencoded")


class RejectNullCharactersMiddleware:
    """Answer 400 to a request carrying a NUL character in its path, query or text body.

    Every text field would refuse it anyway, but identifiers used straight in lookups (codes
    in the path or the query) would reach the database, which fails on them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            return JsonResponse(
                {"detail": _("Dữ liệu gửi lên chứa ký tự không hợp lệ.")}, status=400
            )
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path_info or "%00" in request.META.get("QUERY_STRING", "").lower():
            return True
        if request.content_type in _TEXT_BODIES and request.method in ("POST", "PUT", "PATCH"):
            body = request.body
            return b"\x00" in body or b"\\u0000" in body or b"%00" in body.lower()
        return False


class VietnameseFirstMiddleware:
    """Choose the language by the URL (and the switch's cookie) only, never by the browser's
    Accept-Language: Vietnamese is the default for everyone, English is one click away."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
