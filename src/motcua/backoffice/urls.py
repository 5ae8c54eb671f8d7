from django.urls import path, re_path

from . import counter, feedback, results, views

app_name = "backoffice"
KEY = r"(?P<key>[^/]+)"
urlpatterns = [
    path("", views.home, name="home"),
    path("tiep-nhan/", counter.counter, name="counter"),
    path("tiep-nhan/thu-tuc/", counter.procedure_search, name="counter_procedures"),
    path("tiep-nhan/thanh-phan/", counter.procedure_checklist, name="counter_checklist"),
    path("tiep-nhan/nguoi-nop/", counter.applicant_lookup, name="counter_applicant"),
    path("tra-ket-qua/", views.handover_list, name="handover"),
    path("phan-anh/", feedback.feedback_queue, name="feedback_queue"),
    path("phan-anh/<int:pk>/", feedback.feedback_item, name="feedback_item"),
    path("hang-cho/<slug:slug>/", views.queue, name="queue"),
    path("hang-cho/<slug:slug>/excel/", views.queue_export, name="queue_export"),
    re_path(rf"^ho-so/{KEY}/$", views.dossier_page, name="dossier"),
    re_path(rf"^ho-so/{KEY}/thao-tac/(?P<action>[a-z_]+)/$", views.dossier_action, name="action"),
    re_path(rf"^ho-so/{KEY}/thu-phi/$", views.dossier_fee, name="fee"),
    re_path(
        rf"^ho-so/{KEY}/thu-phi/(?P<payment_id>\d+)\.pdf$",
        views.dossier_fee_confirmation,
        name="fee_confirmation",
    ),
    re_path(rf"^ho-so/{KEY}/tep/(?P<file_id>\d+)/$", views.dossier_file, name="file"),
    re_path(rf"^ho-so/{KEY}/ket-qua/dinh-kem/$", results.result_attach, name="result_attach"),
    re_path(rf"^ho-so/{KEY}/ket-qua/ky-so/$", results.result_sign, name="result_sign"),
    path("ky-so/", results.signing_queue, name="signing_queue"),
    path("ky-so/<uuid:pk>/", results.signing_batch, name="signing_batch"),
    re_path(
        rf"^ho-so/{KEY}/mau/(?P<number>0[1-7]|giai-trinh)\.pdf$", views.dossier_form, name="form"
    ),
]
