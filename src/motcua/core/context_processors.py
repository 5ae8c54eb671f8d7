"""Values every template needs: the province's name and the language switch."""

from django.conf import settings


def site(request):
    from motcua.org.selectors import province_name

    def may_monitor() -> bool:  # called only by the staff pages' menu
        from motcua.monitoring.permissions import VIEW_MONITORING
        from motcua.org.permissions import can

        return can(request.user, VIEW_MONITORING)

    menu = {}

    def staff_menu() -> dict:
        """What the staff pages' menu offers this user: only what he may open."""
        if not menu:
            from motcua.dossiers.permissions import ACTION_PERMISSIONS, VIEW_PERSONAL
            from motcua.dossiers.services.results import SIGN_RESULT
            from motcua.notify.permissions import HOTLINE_SEARCH
            from motcua.org.permissions import can
            from motcua.portal.permissions import ANSWER_FEEDBACK

            user = request.user
            menu.update(
                receive=can(user, ACTION_PERMISSIONS["receive"]),
                dossiers=can(user, VIEW_PERSONAL),
                handover=can(user, ACTION_PERMISSIONS["return_result"]),
                feedback=can(user, ANSWER_FEEDBACK),
                hotline=can(user, HOTLINE_SEARCH),
                sign=can(user, SIGN_RESULT),
            )
        return menu

    return {
        "may_monitor": may_monitor,
        "staff_menu": staff_menu,
        "province_name": settings.MOTCUA["PROVINCE_NAME"] or province_name(),
        "MAX_UPLOAD_MB": settings.MOTCUA["MAX_UPLOAD_MB"],
    }
