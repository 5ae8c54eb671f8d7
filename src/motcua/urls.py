"""URL map: the public portal at the root, the staff site under /can-bo/, the admin under /quan-tri/."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

# The language switch sits inside the prefixed patterns so that it resolves the page it was
# posted from in that page's language, and can send the reader to the same page translated.
urlpatterns = [
    # /healthz, /readyz and /metrics for the load balancer and monitoring: no language prefix.
    path("", include("motcua.ops.urls")),
    path("api/v1/", include("motcua.api.urls")),
    # The national identity provider sends citizens back here (one fixed address to register).
    path("oidc/", include("mozilla_django_oidc.urls")),
    # The payment gateway's IPN and return addresses, registered with it once.
    path("thanh-toan/", include("motcua.payments.urls")),
    path("webhooks/", include("motcua.notify.urls")),
]
urlpatterns += i18n_patterns(
    path("i18n/setlang/", set_language, name="set_language"),
    path("quan-tri/", admin.site.urls),
    path("can-bo/", include("motcua.org.urls")),
    path("can-bo/", include("motcua.backoffice.urls")),
    path("can-bo/", include("motcua.payments.staff_urls")),
    path("can-bo/tong-dai/", include("motcua.notify.staff_urls")),
    path("can-bo/giam-sat/", include("motcua.monitoring.urls")),
    path("", include("motcua.privacy.urls")),
    path("", include("motcua.portal.urls")),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# A database that cannot be reached answers 503 (try again), any other fault 500.
handler500 = "motcua.core.errors.server_error"
