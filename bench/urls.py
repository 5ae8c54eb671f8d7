"""motcua's URL map plus /bench/ceiling/, a view that returns a constant: the fastest any page
can answer through the same server, settings and middleware."""

from django.http import HttpResponse
from django.urls import path

# Spliced in, not include()d: Django refuses i18n_patterns inside an included URLconf.
from motcua.urls import urlpatterns as motcua_urlpatterns


def ceiling(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/ceiling/", ceiling), *motcua_urlpatterns]
