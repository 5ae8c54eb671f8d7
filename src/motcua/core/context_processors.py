"""Values every template needs: the province's name and the language switch."""

from django.conf import settings


def site(request):
    from motcua.org.selectors import province_name

    return {
        "province_name": settings.MOTCUA["PROVINCE_NAME"] or province_name(),
        "MAX_UPLOAD_MB": settings.MOTCUA["MAX_UPLOAD_MB"],
    }
