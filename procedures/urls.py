from django.urls import path

from . import views

app_name = "procedures"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/mau/<int:template_id>/", views.download_template, name="template"),
]
