from django.urls import path

from . import notification_views, views

app_name = "monitoring"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("don-vi/<int:pk>/", views.unit, name="unit"),
    path("co-quan/<int:pk>/", views.agency, name="agency"),
    path("linh-vuc/<str:code>/", views.field, name="field"),
    path("ho-so/", views.dossiers, name="dossiers"),
    path("ho-so/excel/", views.export, name="export"),
    path("bao-cao.<str:fmt>", views.report, name="report"),
    path("so-theo-doi.xlsx", views.register, name="register"),
    path("thong-bao/", notification_views.notifications, name="notifications"),
    path("thong-bao/tin/", notification_views.message_list, name="messages"),
    path("thong-bao/tin/excel/", notification_views.message_export, name="messages_export"),
]
