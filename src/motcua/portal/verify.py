"""The public verification page (/xac-thuc/): anyone uploads a PDF and learns whether motcua
issued it unchanged and what its signatures say; the QR code "Xác thực văn bản" of a form
opens what its code names. Nothing is stored or changed by either."""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from motcua.core import ratelimit

from . import authenticity

# Checking a file's signatures costs up to a few seconds of a worker: counted per address.
VERIFY_PER_MINUTE = 30
TEMPLATE = "portal/verify/upload.html"


def _limit() -> int:
    return int(settings.MOTCUA.get("VERIFY_PER_MINUTE", VERIFY_PER_MINUTE))


def _page(request, status=200, **context):
    context["max_mb"] = settings.MOTCUA["MAX_UPLOAD_MB"]
    return render(request, TEMPLATE, context, status=status)


@require_http_methods(["GET", "POST"])
def verify(request):
    if request.method == "GET":
        return _page(request)
    if not ratelimit.hit("verify", ratelimit.client_address(request), _limit()):
        return _page(request, 429, limited=True)
    upload = request.FILES.get("tep")
    if upload is None:
        verdict = authenticity.Verdict(error=_("Chọn tệp PDF cần kiểm tra."))
    else:
        verdict = authenticity.verify_upload(upload)
    return _page(request, 400 if verdict.error else 200, verdict=verdict)


@require_GET
def verify_token(request, token: str):
    form = authenticity.issued_form(token)
    return render(request, "portal/verify/token.html", {"form": form}, status=200 if form else 404)
