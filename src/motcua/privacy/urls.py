from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("tai-khoan/ai-da-xem/", views.my_accesses, name="my_accesses"),
    path("tai-khoan/du-lieu-ca-nhan.zip", views.my_data, name="my_data"),
    path("can-bo/du-lieu-ca-nhan/truy-cap/", views.access_log, name="access_log"),
    path("can-bo/du-lieu-ca-nhan/yeu-cau/", views.subject_request, name="subject_request"),
]
