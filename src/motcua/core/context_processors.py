"""Values every template needs: the province's name and the language switch."""

from django.conf import settings


def site(request):
    from motcua.org.selectors import province_name

    def may_monitor() -> bool:  # called only by the staff pages' menu
        from motcua.monitoring.permissions import VIEW_MONITORING
        from motcua.org.permissions import can

        return can(request.user, VIEW_MONITORING)

    return {
        "may_monitor": may_monitor,
        "province_name": settings.MOTCUA["PROVINCE_NAME"] or province_name(),
        "MAX_UPLOAD_MB": settings.MOTCUA["MAX_UPLOAD_MB"],
    }
