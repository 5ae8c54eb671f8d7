"""The error pages of last resort (Django's handler500)."""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger("motcua.request")
RETRY_AFTER = "5"


def server_error(request):
    """500, except when the database could not be reached (a restart, a fail-over, PgBouncer
    without a server): then 503 with Retry-After — nothing was written, and the client, the
    balancer and the monitoring can tell "try again shortly" from a fault. Django calls this
    while handling the exception, whether a view or a middleware raised it."""
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError):
        logger.error("database unavailable: %s", type(exception).__name__)
        message = _("Hệ thống tạm thời gián đoạn. Vui lòng thử lại sau ít giây.")
        if request.path_info.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=503)
        else:
            body = loader.get_template("503.html").render({"message": message})
            response = HttpResponseServerError(body, status=503)
        response["Retry-After"] = RETRY_AFTER
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
