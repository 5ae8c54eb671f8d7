"""Pages of the hotline desk: the search, a dossier's script, and sending the lookup link."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from motcua.backoffice.views import staff_required
from motcua.org import permissions

from . import hotline
from .permissions import HOTLINE_SEARCH, HOTLINE_SEND_LINK


@require_GET
@staff_required
def desk(request):
    """The search box and, once asked, the caller's dossiers."""
    permissions.require(request.user, HOTLINE_SEARCH)
    text = request.GET.get("q")
    search = hotline.desk_search(request, text) if text is not None else hotline.Search()
    return render(request, "notify/hotline.html", {"search": search}, status=search.status)


@require_GET
@staff_required
def dossier(request, key: str):
    """One dossier's script, with the buttons that send the caller the lookup link."""
    permissions.require(request.user, HOTLINE_SEARCH)
    try:
        script = hotline.desk_open(request, key)
    except hotline.Refused as refused:
        search = hotline.Search(error=refused.message, status=refused.status)
        return render(request, "notify/hotline.html", {"search": search}, status=search.status)
    context = {
        "script": script,
        "key": script.dossier.code or str(script.dossier.reference),
        "may_send": permissions.can(request.user, HOTLINE_SEND_LINK),
    }
    return render(request, "notify/hotline_dossier.html", context)


@require_POST
@staff_required
def send_link(request, key: str):
    """Send the link to the applicant's own phone; any number in the form is ignored."""
    found = hotline.desk_dossier(request.user, key)
    try:
        message = hotline.hotline_send_link(
            request=request, dossier=found, channel=request.POST.get("channel", "")
        )
    except hotline.Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, hotline.sent_notice(message))
    return redirect("hotline:dossier", key=found.code or str(found.reference))
