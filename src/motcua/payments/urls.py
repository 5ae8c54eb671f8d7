"""Addresses the gateway calls (fixed, without a language prefix, registered with VNPay)."""

from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("vnpay/ipn/", views.ipn, name="ipn"),
    path("vnpay/ket-qua/", views.payment_return, name="return"),
    path("cong-thu-nghiem/", views.sandbox, name="sandbox"),
]
