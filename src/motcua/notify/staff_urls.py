"""The hotline desk on the staff site (mounted at /can-bo/tong-dai/)."""

from django.urls import path

from . import hotline_views

app_name = "hotline"
urlpatterns = [
    path("", hotline_views.desk, name="desk"),
    path("ho-so/<str:key>/", hotline_views.dossier, name="dossier"),
    path("ho-so/<str:key>/gui-duong-dan/", hotline_views.send_link, name="send_link"),
]
