"""The counter's payment addresses on the staff site (language-prefixed, unlike `urls`)."""

from django.urls import re_path

from . import views

app_name = "payments_staff"
urlpatterns = [
    re_path(
        r"^ho-so/(?P<key>[^/]+)/thu-phi/(?P<payment_id>\d+)/hoan-tra/$",
        views.refund,
        name="refund",
    ),
]
