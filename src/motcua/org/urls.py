from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("dang-nhap/", views.StaffLoginView.as_view(), name="login"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("xac-thuc/", views.verify, name="verify"),
    path("bao-mat/", views.two_factor_setup, name="two_factor_setup"),
]
