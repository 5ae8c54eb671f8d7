from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"
CODE = r"(?P<code>[^/]+)"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("procedures/", views.ProcedureList.as_view(), name="procedures"),
    re_path(
        r"^procedures/(?P<national_code>[^/]+)/$", views.ProcedureDetail.as_view(), name="procedure"
    ),
    path("dossiers/", views.DossierList.as_view(), name="dossiers"),
    re_path(rf"^dossiers/{CODE}/$", views.DossierDetail.as_view(), name="dossier"),
    re_path(rf"^dossiers/{CODE}/events/$", views.DossierEvents.as_view(), name="events"),
    re_path(
        rf"^dossiers/{CODE}/actions/(?P<action>[a-z_]+)/$",
        views.DossierAction.as_view(),
        name="action",
    ),
    re_path(
        rf"^dossiers/{CODE}/forms/(?P<number>0[1-7])\.pdf$",
        views.DossierForm.as_view(),
        name="form",
    ),
    re_path(rf"^lookup/{CODE}$", views.Lookup.as_view(), name="lookup"),
]
