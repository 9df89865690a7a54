from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/vneid/", views.sign_in, name="sign_in"),
    path("dang-nhap/vneid/xong/", views.callback, name="callback"),
    path("dang-xuat/", views.sign_out, name="sign_out"),
    path("ho-so-cua-toi/", views.my_dossiers, name="my_dossiers"),
]
