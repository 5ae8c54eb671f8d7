from django.urls import path

from . import webhooks

app_name = "notify"
urlpatterns = [
    path("esms/bao-nhan/", webhooks.esms_receipt, name="esms_receipt"),
    path("zalo/", webhooks.zalo_events, name="zalo_events"),
    path("sms/mo/", webhooks.sms_mo, name="sms_mo"),
]
