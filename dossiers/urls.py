from django.urls import path

from . import views

app_name = "dossiers"
urlpatterns = [
    path("nop-ho-so/<str:code>/", views.file_start, name="file_start"),
    path("tim-kiem/", views.lookup, name="lookup"),
]
