from django.urls import path

from . import views

app_name = "dossiers"
urlpatterns = [
    # Filing (the online wizard)
    path("nop-ho-so/<str:code>/", views.file_start, name="file_start"),
    # Lookup, supplements, results and ratings
    path("tim-kiem/", views.lookup, name="lookup"),
]
