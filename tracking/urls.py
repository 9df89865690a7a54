from django.urls import path

from . import views

app_name = "tracking"
urlpatterns = [
    path("tim-kiem/", views.lookup, name="lookup"),
    path("bo-sung/<str:token>/", views.supplement, name="supplement"),
    path("ket-qua/<str:token>/", views.result_download, name="result_download"),
    path("danh-gia/<str:token>/", views.rating, name="rating"),
]
