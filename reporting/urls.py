from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("", views.statistics_page, name="statistics"),
    path("tai-ve.csv", views.statistics_csv, name="statistics_csv"),
]
