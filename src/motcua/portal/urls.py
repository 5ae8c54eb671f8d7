from django.urls import path

from motcua.payments import views as payments

from . import accounts, feedback, mine, verify, views

app_name = "portal"
DOSSIER = "tai-khoan/ho-so/<uuid:reference>/"
urlpatterns = [
    path("", views.home, name="home"),
    path("tra-cuu/", views.lookup, name="lookup"),
    path("tra-cuu/danh-gia/", feedback.rate_by_code, name="rate_by_code"),
    # Anyone checks a document: an upload, or the QR code printed on a form.
    path("xac-thuc/", verify.verify, name="verify"),
    path("xac-thuc/ma/<str:token>/", verify.verify_token, name="verify_token"),
    path("thu-tuc/", views.procedure_list, name="procedure_list"),
    path("thu-tuc/ban-in/", views.procedure_print, name="procedure_print"),
    path("thu-tuc/<str:code>/nop-truc-tuyen/", mine.start, name="start"),
    path("thu-tuc/<str:code>/", views.procedure_detail, name="procedure_detail"),
    path("su-kien/<slug:code>/", views.life_event, name="life_event"),
    # Citizen accounts
    path("tai-khoan/dang-ky/", accounts.sign_up, name="sign_up"),
    path("tai-khoan/dang-nhap/", accounts.sign_in, name="sign_in"),
    path("tai-khoan/dang-xuat/", accounts.sign_out, name="sign_out"),
    path("tai-khoan/", accounts.profile, name="profile"),
    path("tai-khoan/ho-so/", mine.my_dossiers, name="my_dossiers"),
    path(DOSSIER, mine.my_dossier, name="my_dossier"),
    path(DOSSIER + "sua/", mine.draft, name="draft"),
    path(DOSSIER + "tai-len/", mine.upload, name="upload"),
    path(DOSSIER + "tep/<int:file_id>/", mine.my_file, name="my_file"),
    path(DOSSIER + "tep/<int:file_id>/go/", mine.remove_file, name="remove_file"),
    path(DOSSIER + "xem-lai/", mine.review, name="review"),
    path(DOSSIER + "da-nop/", mine.submitted, name="submitted"),
    path(DOSSIER + "bo-sung/", mine.supplement, name="supplement"),
    path(DOSSIER + "rut/", mine.withdraw, name="withdraw"),
    path(DOSSIER + "thanh-toan/", payments.pay, name="pay"),
    path(
        DOSSIER + "thanh-toan/<int:payment_id>.pdf",
        payments.my_confirmation,
        name="payment_confirmation",
    ),
    path(DOSSIER + "danh-gia/", mine.rate, name="rate"),
    # Feedback
    path("phan-anh/", feedback.feedback_list, name="feedback_list"),
    path("phan-anh/gui/", feedback.feedback_new, name="feedback_new"),
    path("phan-anh/<uuid:reference>/", feedback.feedback_detail, name="feedback_detail"),
]
